import Redis from 'ioredis';
import { PaperStore } from '../analysis/read-model/paper-store';
import { ResultCache } from '../analysis/read-model/result-cache';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { loadAppConfig } from '../config/app-config';
import { PaperDocument } from '../llm/analysis';
import { AnalyzerIdentity } from '../llm/analyzer-identity';
import { BatchAnalysis, PaperAnalyzer } from '../llm/paper-analyzer.port';
import { AnalysisClaims } from './analysis-claims';
import { BatchAnalysisService } from './batch-analysis.service';
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

/** The batch analysis service on real Redis stores, with the analyser held so that a backlog builds up. */
describe('BatchAnalysisService with a backlog', () => {
  const config = loadAppConfig({ REDIS_URL, MAX_INFLIGHT: String(MAX_INFLIGHT), BATCH_SIZE: String(BATCH_SIZE), BATCH_TIMEOUT_MS: '0' });
  let redis: Redis;
  let claims: AnalysisClaims;
  let service: BatchAnalysisService;

  beforeEach(async () => {
    redis = new Redis(REDIS_URL);
    await redis.flushdb();
  });

  afterEach(async () => {
    service.onApplicationShutdown();
    claims.onApplicationShutdown();
    await redis.quit();
  });

  it('loads the papers of at most four times MAX_INFLIGHT batches while the calls are busy, and analyses every paper', async () => {
    const papers = new PaperStore(redis, config);
    const resultCache = new ResultCache(redis, config);
    claims = new AnalysisClaims(redis, resultCache);
    const analyzer = new HeldAnalyzer();
    service = new BatchAnalysisService(analyzer, AnalyzerIdentity.fromConfig(config), papers, resultCache, new ServiceCounters(redis), claims, config);
    const hashes = Array.from({ length: 20 * BATCH_SIZE }, (_, n) => `paper-${n}`);
    for (const hash of hashes) {
      const { key, value } = papers.saving(hash, { text: `The text of paper ${hash}.` });
      await redis.set(key, value);
    }
    const loads = jest.spyOn(papers, 'loadMany');

    const analyses = Promise.all(hashes.map((hash) => service.analyze(hash)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(analyzer.calls).toBe(MAX_INFLIGHT);
    expect(loads).toHaveBeenCalledTimes(4 * MAX_INFLIGHT);

    analyzer.finishAll();
    expect(await analyses).toHaveLength(hashes.length);
    expect(loads).toHaveBeenCalledTimes(hashes.length / BATCH_SIZE);
  });
});
