import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PaperStore } from '../analysis/read-model/paper-store';
import { ResultCache } from '../analysis/read-model/result-cache';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { PermanentError } from '../common/permanent-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AnalysisFields, AnalysisResult, PaperDocument } from '../llm/analysis';
import { AnalyzerIdentity } from '../llm/analyzer-identity';
import { countPaperTokens } from '../llm/groq/paper-prompt';
import { BatchAnalysis, PAPER_ANALYZER, PaperAnalyzer } from '../llm/paper-analyzer.port';
import { detectSections } from '../papers/section-detector';
import { BatchCollector } from './batch-collector';
import { ConcurrencyLimit } from './concurrency-limit';
import { packByTokens } from './token-packer';

interface PendingAnalysis {
  paperHash: string;
  cacheKey: string;
  resolve: (result: AnalysisResult) => void;
  reject: (error: Error) => void;
}

interface PendingDocument {
  pending: PendingAnalysis;
  document: PaperDocument;
}

export class PaperUnavailableError extends PermanentError {}

/**
 * Turns single analysis requests into batched analyser calls: requests are gathered by count and wait,
 * then packed into calls of at most BATCH_SIZE papers and BATCH_MAX_TOKENS input tokens,
 * identical papers are analysed once (within a batch and while one is in flight in this process),
 * cached results are reused, and an item the analyser got wrong is asked again on its own.
 */
@Injectable()
export class BatchAnalysisService implements OnApplicationShutdown {
  private readonly logger = new Logger(BatchAnalysisService.name);
  private readonly inFlight = new Map<string, Promise<AnalysisResult>>();
  private readonly collector: BatchCollector<PendingAnalysis>;
  private readonly calls: ConcurrencyLimit;
  private readonly maxDocumentsPerCall: number;
  private readonly maxTokensPerCall: number;

  constructor(
    @Inject(PAPER_ANALYZER) private readonly analyzer: PaperAnalyzer,
    private readonly identity: AnalyzerIdentity,
    private readonly papers: PaperStore,
    private readonly resultCache: ResultCache,
    private readonly counters: ServiceCounters,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.collector = new BatchCollector(config.batching.size, config.batching.timeoutMs, (batch) => void this.runBatch(batch));
    this.calls = new ConcurrencyLimit(config.llm.maxInflight);
    this.maxDocumentsPerCall = config.batching.size;
    this.maxTokensPerCall = config.batching.maxTokens;
  }

  /** The analysis of a stored paper, shared with any identical request already in flight here. */
  analyze(paperHash: string): Promise<{ cacheKey: string; result: AnalysisResult }> {
    const cacheKey = this.identity.cacheKey(paperHash);
    let analysis = this.inFlight.get(cacheKey);
    if (!analysis) {
      analysis = new Promise<AnalysisResult>((resolve, reject) => this.collector.add({ paperHash, cacheKey, resolve, reject }));
      this.inFlight.set(cacheKey, analysis);
      const forget = () => this.inFlight.delete(cacheKey);
      analysis.then(forget, forget);
    }
    return analysis.then((result) => ({ cacheKey, result }));
  }

  onApplicationShutdown(): void {
    this.collector.close();
  }

  private async runBatch(batch: PendingAnalysis[]): Promise<void> {
    try {
      const uncached = await this.settleCached(batch);
      const papers = await this.papers.loadMany(uncached.map((pending) => pending.paperHash));
      const analysable = uncached.filter((pending) => {
        if (papers.has(pending.paperHash)) return true;
        pending.reject(new PaperUnavailableError('The paper\'s text is no longer stored (it expired before analysis); submit it again.'));
        return false;
      });
      const documents = analysable.map((pending, index) => ({ pending, document: { id: `p${index + 1}`, ...papers.get(pending.paperHash)! } }));
      const calls = packByTokens(
        documents.map((entry) => ({ item: entry, tokens: countPaperTokens(entry.document) })),
        this.maxTokensPerCall,
        this.maxDocumentsPerCall,
      );
      await Promise.all(calls.map((call) => this.analyzeTogether(call)));
    } catch (error) {
      batch.forEach((pending) => pending.reject(error as Error));
    }
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

  /** One analyser call; if the call itself fails, only its own papers fail with it. */
  private async analyzeTogether(entries: PendingDocument[]): Promise<void> {
    let analysis: BatchAnalysis;
    try {
      analysis = await this.call(entries.map((entry) => entry.document));
    } catch (error) {
      entries.forEach(({ pending }) => pending.reject(error as Error));
      return;
    }
    await Promise.all(entries.map(({ pending, document }) => this.settle(pending, document, analysis, entries.length > 1)));
  }

  private async settle(pending: PendingAnalysis, document: PaperDocument, analysis: BatchAnalysis, canAskAlone: boolean): Promise<void> {
    try {
      let outcome = analysis.outcomes.get(document.id);
      if (!outcome?.ok && canAskAlone) {
        this.logger.warn(`Asking again alone for a paper whose batch item failed: ${outcome?.error.message ?? 'missing'}`);
        outcome = (await this.call([document])).outcomes.get(document.id);
      }
      if (outcome?.ok) pending.resolve(this.toResult(outcome.fields, document));
      else pending.reject(outcome?.error ?? new Error('the analyser returned nothing for this paper'));
    } catch (error) {
      pending.reject(error as Error);
    }
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
      await this.counters.increment({
        ...accounted,
        llm_call_ms: Math.round(performance.now() - startedAt),
        llm_prompt_tokens: analysis.usage.promptTokens,
        llm_completion_tokens: analysis.usage.completionTokens,
      });
      return analysis;
    } catch (error) {
      const elapsed = startedAt ? Math.round(performance.now() - startedAt) : 0;
      await this.counters.increment({ ...accounted, llm_failed_calls: 1, llm_call_ms: elapsed }).catch(() => undefined);
      throw error;
    }
  }


  private toResult(fields: AnalysisFields, document: PaperDocument): AnalysisResult {
    return { ...fields, sections: detectSections(document.text), provider: this.identity.provider, model: this.identity.model };
  }
}
