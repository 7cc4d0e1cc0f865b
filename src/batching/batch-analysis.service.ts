import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PaperContent, paperHash } from '../analysis/paper-content';
import { PaperStore } from '../analysis/read-model/paper-store';
import { ResultCache } from '../analysis/read-model/result-cache';
import { Counter, ServiceCounters } from '../analysis/read-model/service-counters';
import { PermanentError } from '../common/permanent-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AnalysisFields, AnalysisResult, PaperDocument } from '../llm/analysis';
import { AnalyzerIdentity } from '../llm/analyzer-identity';
import { InvalidAnalysisError, PaperRefusedError } from '../llm/llm-errors';
import { completionTokensFor } from '../llm/completion-budget';
import { countPaperTokens, promptOverheadTokens } from '../llm/groq/paper-prompt';
import { BatchAnalysis, DocumentOutcome, PAPER_ANALYZER, PaperAnalyzer } from '../llm/paper-analyzer.port';
import { countTokens } from '../llm/token-counter';
import { OutlinedSection, outlinePaper, withoutBackMatter } from '../papers/paper-outline';
import { splitAlongSections } from '../papers/section-parts';
import { AnalysisClaims } from './analysis-claims';
import { BatchCollector } from './batch-collector';
import { PartAnalyses } from './part-analyses';
import { partNotesDocument } from './part-notes';
import { ConcurrencyLimit } from './concurrency-limit';
import { GroupFits, packByTokens, Weighed } from './token-packer';

interface PendingAnalysis {
  paperHash: string;
  cacheKey: string;
  resolve: (result: AnalysisResult) => void;
  reject: (error: Error) => void;
}

interface BatchEntry {
  pending: PendingAnalysis;
  /** The sections of the paper as stored, back matter included: the result lists them all. */
  sections: OutlinedSection[];
  /** What the analyser reads of the paper, with its input tokens. */
  input: Weighed<PaperDocument>;
}

export class PaperUnavailableError extends PermanentError {}
export class PaperTooLongError extends PermanentError {}

const MAX_REDUCE_ROUNDS = 3;
const BATCHES_PER_CALL_IN_FLIGHT = 4;
/** A long paper's parts each repeat its title; below this many tokens left for text, splitting is pointless. */
const MIN_PART_TOKENS = 100;

/** What `step` answers; if it throws, every request of `batch` fails with its error, and the answer is undefined. */
async function orRejectAll<T>(batch: readonly PendingAnalysis[], step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    batch.forEach((pending) => pending.reject(error as Error));
    return undefined;
  }
}

const tooLong = (why: string): DocumentOutcome => ({
  ok: false,
  error: new PaperTooLongError(`the paper cannot be analysed: ${why}; send a shorter text, or raise BATCH_MAX_TOKENS and LLM_TPM`),
});

/**
 * Turns single analysis requests into batched analyser calls: requests are gathered by count and wait,
 * then packed into calls of at most BATCH_SIZE papers and BATCH_MAX_TOKENS input tokens,
 * identical papers are analysed once (in this process by sharing the promise, across processes by
 * claims in Redis), cached results are reused, and an item the analyser got wrong is asked again on its own.
 */
@Injectable()
export class BatchAnalysisService implements OnApplicationShutdown {
  private readonly logger = new Logger(BatchAnalysisService.name);
  private readonly inFlight = new Map<string, Promise<AnalysisResult>>();
  private readonly stopping = new AbortController();
  private readonly collector: BatchCollector<PendingAnalysis>;
  private readonly calls: ConcurrencyLimit;
  /**
   * Batches that claim, load and analyse their papers at once: four times the calls in flight, so the next
   * calls are ready when one ends, and a few batches map-reducing long papers (each keeps its place through
   * all its calls) do not hold up the others. Unbounded, a backlog of long papers would sit in memory as
   * loaded texts while it waits for the LLM, however many there are. Cached results never wait here.
   */
  private readonly batches: ConcurrencyLimit;
  /** The most requests those batches hold: what the worker takes on at once (it admits a job while it holds fewer). */
  readonly requestsInProgress: number;
  private readonly maxTokensPerCall: number;
  /** Whether papers may share one call: BATCH_SIZE, BATCH_MAX_TOKENS and, for an LLM, the key's tokens per minute. */
  private readonly callFits: GroupFits;

  constructor(
    @Inject(PAPER_ANALYZER) private readonly analyzer: PaperAnalyzer,
    private readonly identity: AnalyzerIdentity,
    private readonly papers: PaperStore,
    private readonly resultCache: ResultCache,
    private readonly counters: ServiceCounters,
    private readonly claims: AnalysisClaims,
    private readonly partAnalyses: PartAnalyses,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.collector = new BatchCollector(config.batching.size, config.batching.timeoutMs, (batch) => void this.runBatch(batch));
    this.calls = new ConcurrencyLimit(config.llm.maxInflight);
    const batchesInProgress = BATCHES_PER_CALL_IN_FLIGHT * config.llm.maxInflight;
    this.batches = new ConcurrencyLimit(batchesInProgress);
    this.requestsInProgress = batchesInProgress * config.batching.size;
    const maxDocuments = config.batching.size;
    const tokensPerMinute = config.llm.limits.tokensPerMinute;
    // The provider refuses a call whose prompt and completion budget together exceed the tokens per minute.
    this.maxTokensPerCall = Math.min(config.batching.maxTokens, tokensPerMinute - promptOverheadTokens() - completionTokensFor(1));
    this.callFits = identity.hasBoundedContext
      ? (count, tokens) =>
          count <= maxDocuments &&
          tokens <= this.maxTokensPerCall &&
          promptOverheadTokens() + tokens + completionTokensFor(count) <= tokensPerMinute
      : (count) => count <= maxDocuments;
  }

  /** The analysis of a stored paper, shared with any identical request already in flight here. */
  analyze(paperHash: string): Promise<AnalysisResult> {
    const cacheKey = this.identity.cacheKey(paperHash);
    let analysis = this.inFlight.get(cacheKey);
    if (!analysis) {
      analysis = new Promise<AnalysisResult>((resolve, reject) => this.collector.add({ paperHash, cacheKey, resolve, reject }));
      this.inFlight.set(cacheKey, analysis);
      const forget = () => this.inFlight.delete(cacheKey);
      analysis.then(forget, forget);
    }
    return analysis;
  }

  /**
   * Ends the waits for the analyser's room to call and for other processes analysing the same papers, and
   * makes no new call: the papers waiting fail with AnalysisWithdrawnError, to go back to the queue.
   */
  stopWaiting(): void {
    this.stopping.abort();
    this.analyzer.stopWaiting?.();
  }

  /** Ends the analyser's calls under way, whose papers fail with AnalysisWithdrawnError to go back to the queue; answers how many. */
  cutOffCalls(): number {
    return this.analyzer.cutOffCalls?.() ?? 0;
  }

  onApplicationShutdown(): void {
    this.collector.close();
  }

  private async runBatch(batch: PendingAnalysis[]): Promise<void> {
    const uncached = await orRejectAll(batch, () => this.settleCached(batch));
    if (uncached?.length) await this.batches.run(() => this.analyzeUncached(uncached));
  }

  private async analyzeUncached(batch: PendingAnalysis[]): Promise<void> {
    const claimed = await orRejectAll(batch, () => this.claimOrAwait(batch));
    if (!claimed) return;
    await orRejectAll(claimed, async () => {
      const entries = await this.loadPapers(claimed);
      const [short, long] = partition(entries, (entry) => this.fitsOneCall(entry.input));
      await Promise.all([this.analyzeShort(short), ...long.map(async (entry) => this.settle(entry, await this.analyzeLong(entry.input)))]);
    });
  }

  /** The stored papers of the batch; a request whose paper expired fails for good. */
  private async loadPapers(batch: PendingAnalysis[]): Promise<BatchEntry[]> {
    const papers = await this.papers.loadMany(batch.map((pending) => pending.paperHash));
    return batch.flatMap((pending, index) => {
      const paper = papers.get(pending.paperHash);
      if (!paper) {
        pending.reject(new PaperUnavailableError('The paper\'s text is no longer stored (it expired before analysis); submit it again.'));
        return [];
      }
      const sections = outlinePaper(paper.text);
      return [{ pending, sections, input: this.weigh(this.analyserInput(`p${index + 1}`, paper, sections)) }];
    });
  }

  private async analyzeShort(entries: BatchEntry[]): Promise<void> {
    const outcomes = await this.analyzeDocuments(entries.map((entry) => entry.input));
    entries.forEach((entry) => this.settle(entry, outcomes.get(entry.input.item.id)!));
  }

  private settle({ pending, sections }: BatchEntry, outcome: DocumentOutcome): void {
    if (outcome.ok) pending.resolve(this.toResult(outcome.fields, sections));
    else pending.reject(outcome.error);
  }

  /** Settles the requests whose result another worker cached meanwhile; returns the rest. */
  private async settleCached(batch: PendingAnalysis[]): Promise<PendingAnalysis[]> {
    const cached = await this.resultCache.getMany(batch.map((pending) => pending.cacheKey));
    return batch.filter((pending) => {
      const result = cached.get(pending.cacheKey);
      if (result) pending.resolve(result);
      return !result;
    });
  }

  /**
   * Claims the papers no other process is analysing and answers them, bound to their claims: a result is
   * stored before its claim is let go, a failure lets it go empty. The other papers wait for their holder.
   */
  private async claimOrAwait(batch: PendingAnalysis[]): Promise<PendingAnalysis[]> {
    const claimed = await this.claims.claim(batch.map((pending) => pending.cacheKey));
    batch.filter((_, index) => !claimed[index]).forEach((pending) => void this.awaitHolder(pending));
    return batch.filter((_, index) => claimed[index]).map((pending) => ({
      ...pending,
      resolve: (result) => this.claims.complete(pending.cacheKey, result).then(() => pending.resolve(result), pending.reject),
      reject: (error) => this.claims.abandon(pending.cacheKey).catch(() => undefined).then(() => pending.reject(error)),
    }));
  }

  /** Takes the holder's result, or tries again itself if the holder gave up. */
  private async awaitHolder(pending: PendingAnalysis): Promise<void> {
    try {
      const result = await this.claims.resultFromHolder(pending.cacheKey, this.stopping.signal);
      if (!result) return this.collector.add(pending);
      pending.resolve(result);
      await this.count({ llm_shared_papers: 1 });
    } catch (error) {
      pending.reject(error as Error);
    }
  }

  /**
   * What the analyser reads of a paper: an LLM, whose context is bounded, gets no back matter
   * (references, acknowledgements, appendices); the offline analyser reads the whole paper.
   */
  private analyserInput(id: string, paper: PaperContent, sections: readonly OutlinedSection[]): PaperDocument {
    return { id, ...paper, ...(this.identity.hasBoundedContext && { text: withoutBackMatter(paper.text, sections) }) };
  }

  /**
   * The notes of every round carry the paper's abstract. One that would take more than half a call is read
   * as the start of the text instead, split into the parts with it: beside the notes it could never fit.
   */
  private withLongAbstractInText(document: PaperDocument): PaperDocument {
    if (!document.abstract || countTokens(document.abstract) <= this.maxTokensPerCall / 2) return document;
    return { ...document, abstract: undefined, text: [document.abstract, document.text].filter(Boolean).join('\n\n') };
  }

  /** A document with its input tokens, counted once; the offline analyser, which reads any length, needs no count. */
  private weigh(document: PaperDocument): Weighed<PaperDocument> {
    return { item: document, tokens: this.identity.hasBoundedContext ? countPaperTokens(document) : 0 };
  }

  private fitsOneCall(document: Weighed<PaperDocument>): boolean {
    return document.tokens <= this.maxTokensPerCall;
  }

  /**
   * Each document's outcome, from calls packed by count and (for an LLM) tokens. An item a shared
   * call got wrong is asked again alone; a call that fails fails only its own documents. `afterEachCall`
   * gets each call's outcomes as soon as they are in.
   */
  private async analyzeDocuments(
    documents: readonly Weighed<PaperDocument>[],
    afterEachCall: (outcomes: ReadonlyMap<string, DocumentOutcome>) => Promise<void> = async () => undefined,
  ): Promise<Map<string, DocumentOutcome>> {
    const groups = packByTokens(documents, this.callFits);
    const outcomes = await Promise.all(
      groups.map(async (group) => {
        const groupOutcomes = await this.analyzeGroup(group);
        await afterEachCall(groupOutcomes);
        return groupOutcomes;
      }),
    );
    return new Map(outcomes.flatMap((groupOutcomes) => [...groupOutcomes]));
  }

  private async analyzeGroup(group: PaperDocument[]): Promise<Map<string, DocumentOutcome>> {
    let analysis: BatchAnalysis | PaperSpecificFailure;
    try {
      analysis = await this.call(group);
    } catch (error) {
      // Groq refuses with a 400 an answer that is not valid JSON, and may refuse a call for one paper it carries:
      // either fails the whole call the way one wrong item fails that item, so each paper is asked again alone.
      // Any other failure is the call's, and its papers'.
      if (!isPaperSpecific(error)) return new Map(group.map((document) => [document.id, { ok: false, error: error as Error }]));
      analysis = error;
    }
    const answered = analysis;
    const outcomes = group.map(async (document) => [document.id, await this.outcomeOrAskAlone(document, answered, group.length > 1)] as const);
    return new Map(await Promise.all(outcomes));
  }

  private async outcomeOrAskAlone(document: PaperDocument, analysis: BatchAnalysis | PaperSpecificFailure, canAskAlone: boolean): Promise<DocumentOutcome> {
    const outcome: DocumentOutcome = isPaperSpecific(analysis) ? { ok: false, error: analysis } : outcomeFor(document, analysis);
    if (outcome.ok || !canAskAlone) return outcome;
    this.logger.warn(`Asking again alone for a paper whose batch item failed: ${outcome.error.message}`);
    try {
      return outcomeFor(document, await this.call([document]));
    } catch (error) {
      return { ok: false, error: error as Error };
    }
  }

  /**
   * A paper longer than one call's budget, map-reduced: cut along its sections into parts that fit,
   * each part analysed (packed with the others), then the parts' analyses read together as one document.
   * Notes still too long are reduced again, a bounded number of times: each round shrinks them about
   * tenfold with a real LLM, so the bound is only met when the budget is far too small for the paper.
   */
  private async analyzeLong(paper: Weighed<PaperDocument>, round = 1): Promise<DocumentOutcome> {
    const document = round === 1 ? this.withLongAbstractInText(paper.item) : paper.item;
    const calls = `calls of ${this.maxTokensPerCall} input tokens (BATCH_MAX_TOKENS, LLM_TPM)`;
    const partBudget = this.maxTokensPerCall - countPaperTokens({ ...document, abstract: undefined, text: '' });
    if (partBudget < MIN_PART_TOKENS) return tooLong(`${calls} leave too little room for its text beside its title`);
    const parts = splitAlongSections(document.text, partBudget, countTokens).map((text, index) =>
      this.weigh({ id: `${document.id}s${index + 1}`, title: document.title, text }),
    );
    const outcomes = await this.analyzeParts(parts);
    const partials: AnalysisFields[] = [];
    for (const part of parts) {
      const outcome = outcomes.get(part.item.id)!;
      if (!outcome.ok) return outcome;
      partials.push(outcome.fields);
    }
    const notes = this.weigh(partNotesDocument(document, partials));
    if (this.fitsOneCall(notes)) return (await this.analyzeDocuments([notes])).get(notes.item.id)!;
    // Notes no shorter than what they sum up would only grow, round after round.
    if (notes.tokens >= paper.tokens) return tooLong(`notes on parts that fit ${calls} are no shorter than the paper`);
    if (round < MAX_REDUCE_ROUNDS) return this.analyzeLong(notes, round + 1);
    return tooLong(`it is too long to analyse in ${calls}`);
  }

  /**
   * Each part's outcome: the analyses kept from an earlier attempt, and calls for the other parts, each
   * call's answers kept (PartAnalyses) as soon as it returns, so that a paper failing after some parts were
   * answered, or a worker dying mid-way, does not cost those calls again. Failing to read or keep them costs
   * only that saving.
   */
  private async analyzeParts(parts: readonly Weighed<PaperDocument>[]): Promise<Map<string, DocumentOutcome>> {
    const partKeys = new Map(parts.map(({ item }) => [item.id, this.identity.cacheKey(paperHash(item))]));
    const kept = await this.partAnalyses.getMany([...partKeys.values()]).catch((error: Error) => {
      this.logger.warn(`Could not read the analyses kept for a long text's parts, so all are asked for: ${error.message}`);
      return new Map<string, AnalysisFields>();
    });
    const toAsk = parts.filter(({ item }) => !kept.has(partKeys.get(item.id)!));
    if (toAsk.length < parts.length) this.logger.log(`Reusing the analyses of ${parts.length - toAsk.length} of a long text's ${parts.length} parts, kept from an earlier attempt`);
    const outcomes = await this.analyzeDocuments(toAsk, (answered) => this.keepPartAnalyses(answered, partKeys));
    for (const [id, partKey] of partKeys) {
      const fields = kept.get(partKey);
      if (fields) outcomes.set(id, { ok: true, fields });
    }
    return outcomes;
  }

  private async keepPartAnalyses(outcomes: ReadonlyMap<string, DocumentOutcome>, partKeys: ReadonlyMap<string, string>): Promise<void> {
    const answered = [...outcomes].flatMap(([id, outcome]) => (outcome.ok ? [[partKeys.get(id)!, outcome.fields] as const] : []));
    await this.partAnalyses.putMany(new Map(answered)).catch((error: Error) => {
      this.logger.warn(`Could not keep the analyses of a long text's parts (${answered.length} answered): ${error.message}`);
    });
  }

  /** One analyser call within MAX_INFLIGHT, accounted: papers, time in the call, tokens and outcome. */
  private async call(documents: PaperDocument[]): Promise<BatchAnalysis> {
    let startedAt = 0;
    const accounted = { llm_calls: 1, llm_papers: documents.length };
    try {
      const analysis = await this.calls.run(() => {
        startedAt = performance.now();
        return this.analyzer.analyze(documents);
      });
      await this.count({
        ...accounted,
        llm_call_ms: Math.round(performance.now() - startedAt),
        llm_prompt_tokens: analysis.usage.promptTokens,
        llm_completion_tokens: analysis.usage.completionTokens,
      });
      return analysis;
    } catch (error) {
      const elapsed = startedAt ? Math.round(performance.now() - startedAt) : 0;
      await this.count({ ...accounted, llm_failed_calls: 1, llm_call_ms: elapsed });
      throw error;
    }
  }

  /** The totals are bookkeeping: failing to count must not cost an answer already paid for, nor hide a call's own error. */
  private async count(increments: Partial<Record<Counter, number>>): Promise<void> {
    try {
      await this.counters.increment(increments);
    } catch (error) {
      this.logger.warn(`Could not add to the service totals: ${(error as Error).message}`);
    }
  }

  /** The result names every section of the paper as stored, back matter included. */
  private toResult(fields: AnalysisFields, sections: readonly OutlinedSection[]): AnalysisResult {
    return {
      ...fields,
      sections: sections.map(({ name, start, end }) => ({ name, start, end })),
      provider: this.identity.provider,
      model: this.identity.model,
    };
  }
}

/** A call's failure that one of its papers may have caused. */
type PaperSpecificFailure = InvalidAnalysisError | PaperRefusedError;

const isPaperSpecific = (outcome: unknown): outcome is PaperSpecificFailure => outcome instanceof InvalidAnalysisError || outcome instanceof PaperRefusedError;

function outcomeFor(document: PaperDocument, analysis: BatchAnalysis): DocumentOutcome {
  return analysis.outcomes.get(document.id) ?? { ok: false, error: new InvalidAnalysisError('the analyser returned nothing for this paper') };
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
