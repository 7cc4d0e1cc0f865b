/**
 * npm run bench:llm — how much analysis the LLM path gets out of a key's rate limits, against the fake Groq
 * server at 400 ms, with the service as `npm start` runs it (one api process, 1 or 3 worker processes).
 *
 *   npm run bench:llm -- [--abstracts 300] [--workers 1,3] [--regimes requests,tokens] [--latency 400]
 *
 * Two regimes, the service configured with the same limits as the fake enforces:
 * - requests-bound: 60 requests/min, 200,000 tokens/min;
 * - tokens-bound: 120 requests/min, 60,000 tokens/min.
 * Each run submits `abstracts` distinct abstracts and 20% exact copies of some of them, interleaved, waits until
 * all are finished, then uploads the shared papers as PDFs and waits again. Per phase it reports LLM calls per
 * 100 distinct analyses, tokens per analysis, 429s received, failed jobs, and the drain time against the lower
 * bound the limits set: max(calls / RPM, tokens counted against the limit / TPM). Groq counts a request's
 * prompt and its max_completion_tokens against the tokens/min limit, and so does the fake.
 * Redis database 15, flushed before each run. Figures go to stdout, docs/benchmarks.md (bench:llm) and
 * docs/benchmarks.json.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { paperFiles } from '../eval/paper-files';
import { FakeGroqServer } from '../test/fakes/fake-groq-server';
import { FakeGroqStats } from '../test/fakes/fake-groq-stats';
import { postJson, request } from '../test/support/http-client';
import { sampleAbstract } from '../test/support/sample-papers';
import { postUpload } from '../test/support/uploads';
import { runBench, wasInterrupted } from './lib/cleanup';
import { log } from './lib/log';
import { assertRedisAnswers, flushDatabase, requestStatuses } from './lib/redis';
import { commandLine, fmt, nonDefaultOptions, publishReport, round, serviceRevision } from './lib/report';
import { serviceEnvironment, startService } from './lib/servers';

const DATABASE = 15;
const PORT = 18950;
const BASE_URL = `http://127.0.0.1:${PORT}`;
const DUPLICATE_SHARE = 0.2;
const SUBMIT_CONCURRENCY = 20;
const DRAIN_TIMEOUT_MS = 30 * 60_000;

interface Regime {
  name: string;
  requestsPerMinute: number;
  tokensPerMinute: number;
}

const REGIMES: Record<string, Regime> = {
  requests: { name: 'requests-bound', requestsPerMinute: 60, tokensPerMinute: 200_000 },
  tokens: { name: 'tokens-bound', requestsPerMinute: 120, tokensPerMinute: 60_000 },
};

interface Submission {
  id: string;
  /** Answered 200 from the result cache: finished before it was queued. */
  cached: boolean;
}

interface PhaseFigures {
  submitted: number;
  distinct: number;
  calls: number;
  rateLimited: number;
  failedJobs: number;
  promptTokens: number;
  completionTokens: number;
  limitTokens: number;
  drainSeconds: number;
  lowerBoundSeconds: number;
}

/** Distinct abstracts with DUPLICATE_SHARE exact copies of earlier ones mixed in, in a fixed order. */
function abstractsWithCopies(count: number): string[] {
  const distinct = Array.from({ length: count }, (_, n) => sampleAbstract(20_000 + n));
  const copies = Math.round(count * DUPLICATE_SHARE);
  const submissions = [...distinct];
  for (let copy = 0; copy < copies; copy++) {
    const original = (copy * 7919) % count;
    submissions.splice(Math.min(submissions.length, original + 1 + ((copy * 31) % 40)), 0, distinct[original]);
  }
  return submissions;
}

async function submitAll<T>(items: readonly T[], send: (item: T) => Promise<{ status: number; body: any }>): Promise<Submission[]> {
  const submissions: Submission[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const answer = await send(items[next++]);
      if (answer.status !== 202 && answer.status !== 200) throw new Error(`POST /analyze answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      submissions.push({ id: answer.body.request_id, cached: answer.status === 200 });
    }
  };
  await Promise.all(Array.from({ length: SUBMIT_CONCURRENCY }, worker));
  return submissions;
}

async function waitUntilFinished(ids: readonly string[]): Promise<void> {
  const startedAt = Date.now();
  for (;;) {
    const counts = await requestStatuses(DATABASE, ids);
    if ((counts.done ?? 0) + (counts.error ?? 0) === ids.length) return;
    if (wasInterrupted()) throw new Error('interrupted');
    if (Date.now() - startedAt > DRAIN_TIMEOUT_MS) throw new Error(`not finished after ${DRAIN_TIMEOUT_MS / 60_000} min: ${JSON.stringify(counts)}`);
    await sleep(250);
  }
}

/**
 * The shortest drain the limits allow: over sliding 60 s windows a whole minute's budget may go at once,
 * so the last of n minutes' worth of calls can start after n - 1 minutes, and ends one call later.
 */
function shortestDrainSeconds(calls: number, limitTokens: number, regime: Regime, latencyMs: number): number {
  const minutesOfBudget = Math.max(Math.ceil(calls / regime.requestsPerMinute), Math.ceil(limitTokens / regime.tokensPerMinute));
  return 60 * Math.max(minutesOfBudget - 1, 0) + latencyMs / 1000;
}

/** Submits with `submit`, waits until every request is finished, and measures what the fake Groq saw meanwhile. */
async function measurePhase(groq: FakeGroqServer, regime: Regime, distinct: number, submit: () => Promise<Submission[]>): Promise<PhaseFigures> {
  const before = groq.stats();
  const submissions = await submit();
  await waitUntilFinished(submissions.map((submission) => submission.id));
  const after = groq.stats();
  const records = await Promise.all(submissions.map((submission) => request(BASE_URL, `/status/${submission.id}`)));
  const submittedAt = Math.min(...records.map((record) => Date.parse(record.body.submitted_at)));
  const finishedAt = Math.max(...records.map((record) => Date.parse(record.body.finished_at)));
  const delta = (key: keyof FakeGroqStats) => (after[key] as number) - (before[key] as number);
  const calls = after.call_log.length - before.call_log.length;
  const answered = after.call_log.slice(before.call_log.length).filter((call) => call.status === 200).length;
  const limitTokens = delta('limit_tokens');
  return {
    submitted: submissions.length,
    distinct,
    calls,
    rateLimited: delta('rate_limited'),
    failedJobs: records.filter((record) => record.body.status === 'error').length,
    promptTokens: delta('prompt_tokens'),
    completionTokens: delta('completion_tokens'),
    limitTokens,
    drainSeconds: (finishedAt - submittedAt) / 1000,
    lowerBoundSeconds: shortestDrainSeconds(answered, limitTokens, regime, groq.options().latencyMs),
  };
}

async function runOnce(regime: Regime, workers: number, abstracts: number, latencyMs: number): Promise<{ abstracts: PhaseFigures; papers: PhaseFigures }> {
  const groq = new FakeGroqServer({ latencyMs, rpm: regime.requestsPerMinute, tpm: regime.tokensPerMinute });
  const { baseUrl } = await groq.start();
  await flushDatabase(DATABASE);
  const service = await startService(
    PORT,
    serviceEnvironment(PORT, DATABASE, {
      LLM_PROVIDER: 'groq',
      GROQ_API_KEY: 'bench-key',
      GROQ_BASE_URL: baseUrl,
      LLM_RPM: String(regime.requestsPerMinute),
      LLM_TPM: String(regime.tokensPerMinute),
      LLM_RPD: '1000000',
      WEB_CONCURRENCY: '1',
      WORKER_CONCURRENCY: String(workers),
    }),
  );
  try {
    log(`${regime.name}, ${workers} worker(s): ${abstracts} abstracts + ${Math.round(abstracts * DUPLICATE_SHARE)} copies`);
    const abstractFigures = await measurePhase(groq, regime, abstracts, () =>
      submitAll(abstractsWithCopies(abstracts), (abstract) => postJson(BASE_URL, '/analyze', { abstract })),
    );
    const papers = paperFiles();
    log(`${regime.name}, ${workers} worker(s): ${papers.length} PDFs`);
    const paperFigures = await measurePhase(groq, regime, papers.length, () =>
      submitAll(papers, (paper) => postUpload(BASE_URL, { bytes: readFileSync(paper.path), name: `${paper.stem}.pdf`, type: 'application/pdf' })),
    );
    return { abstracts: abstractFigures, papers: paperFigures };
  } finally {
    await service.stop();
    await groq.stop();
  }
}

const row = (label: string, figures: PhaseFigures) =>
  `| ${[
    label,
    `${fmt(figures.submitted)} (${fmt(figures.distinct)} distinct)`,
    fmt(figures.calls),
    fmt((100 * figures.calls) / figures.distinct, 1),
    fmt((figures.promptTokens + figures.completionTokens) / figures.distinct),
    fmt(figures.limitTokens / figures.distinct),
    fmt(figures.rateLimited),
    fmt(figures.failedJobs),
    fmt(figures.drainSeconds, 1),
    fmt(figures.lowerBoundSeconds, 1),
    fmt(figures.drainSeconds / figures.lowerBoundSeconds, 2),
  ].join(' | ')} |`;

const phaseJson = (figures: PhaseFigures) => ({
  submitted: figures.submitted,
  distinct: figures.distinct,
  llm_calls: figures.calls,
  calls_per_100_analyses: round((100 * figures.calls) / figures.distinct),
  tokens_per_analysis: round((figures.promptTokens + figures.completionTokens) / figures.distinct),
  limit_tokens_per_analysis: round(figures.limitTokens / figures.distinct),
  rate_limited: figures.rateLimited,
  failed_jobs: figures.failedJobs,
  drain_s: round(figures.drainSeconds),
  lower_bound_s: round(figures.lowerBoundSeconds),
  drain_to_bound: round(figures.drainSeconds / figures.lowerBoundSeconds, 2),
});

async function main(): Promise<void> {
  const options = {
    abstracts: { type: 'string', default: '300' },
    workers: { type: 'string', default: '1,3' },
    regimes: { type: 'string', default: 'requests,tokens' },
    latency: { type: 'string', default: '400' },
  } as const;
  const { values } = parseArgs({ options });
  const abstracts = Number(values.abstracts);
  const workerCounts = values.workers!.split(',').map(Number);
  const regimes = values.regimes!.split(',').map((name) => {
    const regime = REGIMES[name.trim()];
    if (!regime) throw new Error(`unknown regime "${name}"; expected ${Object.keys(REGIMES).join(', ')}`);
    return regime;
  });
  const latencyMs = Number(values.latency);
  await assertRedisAnswers();

  const rows: string[] = [];
  const json: Record<string, unknown> = {};
  for (const regime of regimes) {
    for (const workers of workerCounts) {
      const figures = await runOnce(regime, workers, abstracts, latencyMs);
      const label = `${regime.name} (${regime.requestsPerMinute} req/min, ${fmt(regime.tokensPerMinute)} tokens/min), ${workers} worker${workers > 1 ? 's' : ''}`;
      rows.push(row(`${label}, abstracts`, figures.abstracts), row(`${label}, PDFs`, figures.papers));
      json[`${regime.name}/${workers}`] = { abstracts: phaseJson(figures.abstracts), pdfs: phaseJson(figures.papers) };
    }
  }

  const body = [
    `Fake Groq at ${latencyMs} ms enforcing the regime's limits over sliding windows; the service (\`npm start\`, one api`,
    'process) configured with the same LLM_RPM / LLM_TPM, default batching (BATCH_SIZE=16, BATCH_MAX_TOKENS=6000).',
    `Abstracts: ${abstracts} distinct ~800-character abstracts and ${Math.round(abstracts * DUPLICATE_SHARE)} exact copies mixed in; then the`,
    'shared papers uploaded as PDFs. Tokens per analysis: prompt + completion as used; "limit tokens": prompt + max_completion_tokens,',
    'what the limit counts. Lower bound: the shortest drain the limits allow over sliding 60 s windows, where a whole minute\'s budget may',
    'go at once: (n - 1) minutes for n minutes\' worth of answered calls (RPM) or limit tokens (TPM), plus one call\'s latency.',
    '',
    '| run | requests | LLM calls | calls per 100 analyses | tokens per analysis | limit tokens per analysis | 429s | failed jobs | drain s | lower bound s | drain / bound |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  publishReport('bench:llm', 'bench:llm', body, { command: commandLine('bench:llm'), service: serviceRevision(), runs: json }, nonDefaultOptions(options, values));
}

runBench(main);
