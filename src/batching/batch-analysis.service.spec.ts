import Redis from 'ioredis';
import { PaperContent } from '../analysis/paper-content';
import { PaperStore } from '../analysis/read-model/paper-store';
import { ResultCache } from '../analysis/read-model/result-cache';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { loadAppConfig } from '../config/app-config';
import { PaperDocument } from '../llm/analysis';
import { PaperRefusedError } from '../llm/llm-errors';
import { AnalyzerIdentity } from '../llm/analyzer-identity';
import { BatchAnalysis, PaperAnalyzer } from '../llm/paper-analyzer.port';
import { AnalysisClaims } from './analysis-claims';
import { BatchAnalysisService, PaperTooLongError } from './batch-analysis.service';
import { PartAnalyses } from './part-analyses';
import { redisKeys } from '../redis/redis-keys';
import { MINIMAL_FIELDS } from '../../test/support/minimal-analysis';

const REDIS_URL = 'redis://127.0.0.1:6379/11';
const MAX_INFLIGHT = 2;
const BATCH_SIZE = 2;

/** An analyser whose calls stay open until the test lets them all finish. */
class HeldAnalyzer implements PaperAnalyzer {
  calls = 0;
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));

  async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    this.calls += 1;
    await this.released;
    return { outcomes: new Map(documents.map((document) => [document.id, { ok: true, fields: MINIMAL_FIELDS }])), usage: { promptTokens: 1, completionTokens: 1 } };
  }

  finishAll(): void {
    this.release();
  }
}

/** Counts its calls and answers each document at once, at about `wordsPerAnswer` words. */
class VerboseAnalyzer implements PaperAnalyzer {
  calls = 0;

  constructor(private readonly wordsPerAnswer: number) {}

  async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    this.calls += 1;
    const summary = Array.from({ length: this.wordsPerAnswer }, (_, n) => `finding${n}`).join(' ');
    return {
      outcomes: new Map(documents.map((document) => [document.id, { ok: true, fields: { ...MINIMAL_FIELDS, summary } }])),
      usage: { promptTokens: 1, completionTokens: 1 },
    };
  }
}

/** Answers as VerboseAnalyzer does, but its first call fails; counts the documents of every call. */
class FirstCallFailingAnalyzer extends VerboseAnalyzer {
  readonly documentsPerCall: number[] = [];

  override async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    this.documentsPerCall.push(documents.length);
    if (this.documentsPerCall.length === 1) throw new Error('the LLM is unavailable');
    return super.analyze(documents);
  }
}

/** Answers as VerboseAnalyzer does, but holds its first call open until the test lets it finish. */
class FirstCallHeldAnalyzer extends VerboseAnalyzer {
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));

  override async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    const first = this.calls === 0;
    const answer = super.analyze(documents);
    if (first) await this.released;
    return answer;
  }

  finishFirst(): void {
    this.release();
  }
}

/** Refuses, as Groq may for one paper, every call that carries the paper whose text holds `refusedWord`; answers the others. */
class OnePaperRefusingAnalyzer extends VerboseAnalyzer {
  readonly documentsPerCall: number[] = [];

  constructor(private readonly refusedWord: string) {
    super(3);
  }

  override async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    this.documentsPerCall.push(documents.length);
    if (documents.some((document) => document.text.includes(this.refusedWord))) {
      throw new PaperRefusedError('The LLM provider refused to analyse this paper (HTTP 400); a shorter or different text may work.');
    }
    return super.analyze(documents);
  }
}

/** The batch analysis service on real Redis stores, with an analyser of the test's own. */
describe('BatchAnalysisService', () => {
  let redis: Redis;
  let claims: AnalysisClaims;
  let service: BatchAnalysisService;
  let papers: PaperStore;
  let counters: ServiceCounters;
  let partAnalyses: PartAnalyses;

  beforeEach(async () => {
    redis = new Redis(REDIS_URL);
    await redis.flushdb();
  });

  afterEach(async () => {
    service.onApplicationShutdown();
    claims.onApplicationShutdown();
    await redis.quit();
  });

  const serve = (analyzer: PaperAnalyzer, environment: Record<string, string>): void => {
    const config = loadAppConfig({ REDIS_URL, BATCH_TIMEOUT_MS: '0', ...environment });
    papers = new PaperStore(redis, config);
    const resultCache = new ResultCache(redis, config);
    claims = new AnalysisClaims(redis, resultCache);
    counters = new ServiceCounters(redis);
    partAnalyses = new PartAnalyses(redis, config);
    service = new BatchAnalysisService(analyzer, AnalyzerIdentity.fromConfig(config), papers, resultCache, counters, claims, partAnalyses, config);
  };

  const store = async (hash: string, paper: PaperContent): Promise<void> => {
    const { key, value } = papers.saving(hash, paper);
    await redis.set(key, value);
  };

  it('keeps an answer it received when counting the call in the service totals fails', async () => {
    const analyzer = new VerboseAnalyzer(3);
    serve(analyzer, {});
    await store('counted-paper', { text: 'The text of a paper whose call cannot be counted.' });
    const increments = jest.spyOn(counters, 'increment').mockRejectedValue(new Error('Connection is closed.'));

    expect((await service.analyze('counted-paper')).summary).toBe('finding0 finding1 finding2');
    expect(analyzer.calls).toBe(1);
    expect(increments).toHaveBeenCalledWith(expect.objectContaining({ llm_calls: 1, llm_papers: 1 }));
  });

  it('asks each paper of a packed call again alone when the provider refused the call, so one paper fails, not all', async () => {
    const analyzer = new OnePaperRefusingAnalyzer('forbidden');
    serve(analyzer, { BATCH_SIZE: '3' });
    const texts = ['The first paper measures one effect.', 'The second paper holds a forbidden passage.', 'The third paper measures another effect.'];
    for (const [index, text] of texts.entries()) await store(`paper-${index}`, { text });

    const outcomes = await Promise.allSettled(texts.map((_, index) => service.analyze(`paper-${index}`)));
    expect(analyzer.documentsPerCall).toEqual([3, 1, 1, 1]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(PaperRefusedError);
  });

  it('loads the papers of at most four times MAX_INFLIGHT batches while the calls are busy, and analyses every paper', async () => {
    const analyzer = new HeldAnalyzer();
    serve(analyzer, { MAX_INFLIGHT: String(MAX_INFLIGHT), BATCH_SIZE: String(BATCH_SIZE) });
    const hashes = Array.from({ length: 20 * BATCH_SIZE }, (_, n) => `paper-${n}`);
    for (const hash of hashes) await store(hash, { text: `The text of paper ${hash}.` });
    const loads = jest.spyOn(papers, 'loadMany');

    const analyses = Promise.all(hashes.map((hash) => service.analyze(hash)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(analyzer.calls).toBe(MAX_INFLIGHT);
    expect(loads).toHaveBeenCalledTimes(4 * MAX_INFLIGHT);

    analyzer.finishAll();
    expect(await analyses).toHaveLength(hashes.length);
    expect(loads).toHaveBeenCalledTimes(hashes.length / BATCH_SIZE);
  });

  describe('with an LLM budget too small for a long paper', () => {
    const SMALL_BUDGET = { GROQ_API_KEY: 'gsk_test_key', BATCH_MAX_TOKENS: '300' };
    const longText = Array.from({ length: 60 }, (_, n) => `Sentence ${n} of the running text reports one more measured effect.`).join(' ');

    it('refuses at once a paper whose title leaves too little room for its text, calling the LLM not at all', async () => {
      const analyzer = new VerboseAnalyzer(10);
      serve(analyzer, SMALL_BUDGET);
      await store('titled', { title: Array.from({ length: 120 }, (_, n) => `Word${n}`).join(' '), text: longText });
      await expect(service.analyze('titled')).rejects.toThrow('leave too little room for its text beside its title');
      expect(analyzer.calls).toBe(0);
    });

    it("asks again only for the parts still unanswered when a long paper's analysis failed", async () => {
      const analyzer = new FirstCallFailingAnalyzer(3);
      serve(analyzer, SMALL_BUDGET);
      await store('long', { text: longText });
      await expect(service.analyze('long')).rejects.toThrow('the LLM is unavailable');
      const [failedCall, ...answeredCalls] = analyzer.documentsPerCall;
      expect(answeredCalls.length).toBeGreaterThan(0);

      expect((await service.analyze('long')).summary).toBe('finding0 finding1 finding2');
      // The parts of the call that failed, then the notes on all the parts.
      expect(analyzer.documentsPerCall.slice(1 + answeredCalls.length)).toEqual([failedCall, 1]);
    });

    it("keeps each call's part analyses as soon as it returns, while other calls are still out", async () => {
      const analyzer = new FirstCallHeldAnalyzer(3);
      serve(analyzer, SMALL_BUDGET);
      await store('held', { text: longText });
      const analysis = service.analyze('held');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(analyzer.calls).toBeGreaterThan(2);

      const keptKeys = await redis.keys(redisKeys.partAnalysis('*'));
      // Every part but those of the call still held: one part a call at this budget.
      expect(keptKeys).toHaveLength(analyzer.calls - 1);
      analyzer.finishFirst();
      expect((await analysis).summary).toBe('finding0 finding1 finding2');
    });

    it('analyses a long paper whose kept part analyses can be neither read nor written', async () => {
      const analyzer = new VerboseAnalyzer(3);
      serve(analyzer, SMALL_BUDGET);
      await store('unkept', { text: longText });
      jest.spyOn(partAnalyses, 'getMany').mockRejectedValue(new Error('Connection is closed.'));
      jest.spyOn(partAnalyses, 'putMany').mockRejectedValue(new Error('Connection is closed.'));

      expect((await service.analyze('unkept')).summary).toBe('finding0 finding1 finding2');
      expect(analyzer.calls).toBeGreaterThan(2);
    });

    it('stops after one round when the notes on the parts are no shorter than the paper', async () => {
      const analyzer = new VerboseAnalyzer(200);
      serve(analyzer, SMALL_BUDGET);
      await store('verbose', { text: longText });
      const rejected = service.analyze('verbose');
      await expect(rejected).rejects.toThrow(PaperTooLongError);
      await expect(rejected).rejects.toThrow('are no shorter than the paper');
      const parts = analyzer.calls;
      expect(parts).toBeGreaterThan(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(analyzer.calls).toBe(parts);
    });
  });
});
