import { FaultKind } from './fake-groq-options';

/** The last calls kept in `call_log`. */
export const CALL_LOG_LIMIT = 10_000;

/** One chat request as the fake saw it. `status` 0 means it was never answered (a `timeout` fault). */
export interface CallLogEntry {
  /** When the request was received, epoch milliseconds. */
  at: number;
  papers: number;
  status: number;
  fault?: FaultKind;
}

export interface FakeGroqStats {
  /** Every chat-completions request received: answered, refused (401/400/413/429) and faulted alike. */
  calls: number;
  /** Prompt tokens of the requests answered with 200. */
  prompt_tokens: number;
  /** Completion tokens of the requests answered with 200. */
  completion_tokens: number;
  /** Tokens counted against the tokens-per-minute limit by the requests it admitted: prompt + max_completion_tokens. */
  limit_tokens: number;
  /** Requests answered with 429, by the limits or by an injected `rate_limited` fault. */
  rate_limited: number;
  /** Injected faults of every kind (a `rate_limited` fault counts here and in `rate_limited`). */
  faults: number;
  /** Papers in all chat requests received. */
  papers: number;
  /** Papers in the requests answered with 200 (faulty 200s included). */
  papers_answered: number;
  /** Chat requests received, keyed by how many papers each carried. */
  requests_by_batch_size: Record<string, number>;
  /** Injected faults by kind. */
  faults_by_kind: Partial<Record<FaultKind, number>>;
  /** The last `CALL_LOG_LIMIT` chat requests, oldest first. */
  call_log: CallLogEntry[];
}

export interface CallOutcome {
  status: number;
  fault?: FaultKind;
  promptTokens?: number;
  completionTokens?: number;
  /** What the request counted against the tokens-per-minute limit, if it was admitted. */
  limitTokens?: number;
}

/** Counts what the fake did; an entry per call is opened when the call arrives and closed with its outcome. */
export class FakeGroqStatsRecorder {
  private stats = emptyStats();
  /** Calls begun since the last reset: a call still in flight across a reset does not count in the new stats. */
  private current = new WeakSet<CallLogEntry>();

  /** Records a call's arrival; the returned entry is completed by `finish`. */
  begin(at: number, papers: number): CallLogEntry {
    const entry: CallLogEntry = { at, papers, status: 0 };
    this.current.add(entry);
    this.stats.calls += 1;
    this.stats.papers += papers;
    const key = String(papers);
    this.stats.requests_by_batch_size[key] = (this.stats.requests_by_batch_size[key] ?? 0) + 1;
    this.stats.call_log.push(entry);
    if (this.stats.call_log.length > CALL_LOG_LIMIT) this.stats.call_log.shift();
    return entry;
  }

  finish(entry: CallLogEntry, outcome: CallOutcome): void {
    entry.status = outcome.status;
    if (outcome.fault) entry.fault = outcome.fault;
    if (!this.current.has(entry)) return;
    if (outcome.fault) {
      this.stats.faults += 1;
      this.stats.faults_by_kind[outcome.fault] = (this.stats.faults_by_kind[outcome.fault] ?? 0) + 1;
    }
    if (outcome.status === 429) this.stats.rate_limited += 1;
    if (outcome.status === 200) {
      this.stats.prompt_tokens += outcome.promptTokens ?? 0;
      this.stats.completion_tokens += outcome.completionTokens ?? 0;
      this.stats.limit_tokens += outcome.limitTokens ?? 0;
      this.stats.papers_answered += entry.papers;
    }
  }

  /** A deep copy, safe to hand out and to serialise. */
  snapshot(): FakeGroqStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = emptyStats();
    this.current = new WeakSet();
  }
}

function emptyStats(): FakeGroqStats {
  return {
    calls: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    limit_tokens: 0,
    rate_limited: 0,
    faults: 0,
    papers: 0,
    papers_answered: 0,
    requests_by_batch_size: {},
    faults_by_kind: {},
    call_log: [],
  };
}
