import { EventBus } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { AnalysisJobProducer } from '../../../batching/analysis-job.producer';
import { AnalysisResult } from '../../../llm/analysis';
import { AnalyzerIdentity } from '../../../llm/analyzer-identity';
import { AnalysisQueuedEvent } from '../../events/analysis-queued.event';
import { normalisePaper, paperHash } from '../../paper-content';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { PaperStore } from '../../read-model/paper-store';
import { ResultCache } from '../../read-model/result-cache';
import { ServiceCounters } from '../../read-model/service-counters';
import { AnalyzePaperCommand } from './analyze-paper.command';
import { AnalyzePaperHandler } from './analyze-paper.handler';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const cachedResult = { title: 'Cached', summary: 'From before.' } as AnalysisResult;

describe('AnalyzePaperHandler', () => {
  const transaction = { exec: jest.fn().mockResolvedValue([]) };
  const redis = { multi: () => transaction } as unknown as Redis;
  const identity = new AnalyzerIdentity('groq', 'openai/gpt-oss-120b');
  const resultCache = { get: jest.fn() };
  const papers = { addSave: jest.fn() };
  const readModel = { addCreate: jest.fn(), delete: jest.fn().mockResolvedValue(undefined) };
  const counters = { addIncrement: jest.fn() };
  const jobs = { enqueue: jest.fn() };
  const eventBus = { publish: jest.fn() };
  const handler = new AnalyzePaperHandler(
    redis,
    identity,
    resultCache as unknown as ResultCache,
    papers as unknown as PaperStore,
    readModel as unknown as AnalysisReadModel,
    counters as unknown as ServiceCounters,
    jobs as unknown as AnalysisJobProducer,
    eventBus as unknown as EventBus,
  );
  const submission = { title: ' A  title ', text: 'Body\r\ntext' };
  const hash = paperHash(normalisePaper(submission));

  beforeEach(() => jest.clearAllMocks());

  it('stores the normalised paper, writes a queued record in one transaction, then enqueues its job', async () => {
    resultCache.get.mockResolvedValue(undefined);
    const outcome = await handler.execute(new AnalyzePaperCommand(submission));

    expect(outcome).toEqual({ requestId: expect.stringMatching(UUID_V4), status: 'queued' });
    expect(resultCache.get).toHaveBeenCalledWith(`groq:openai/gpt-oss-120b:p1:${hash}`);
    expect(papers.addSave).toHaveBeenCalledWith(transaction, hash, { title: 'A title', text: 'Body\ntext' });
    expect(readModel.addCreate).toHaveBeenCalledWith(
      transaction,
      expect.objectContaining({ requestId: outcome.requestId, status: 'queued', paperHash: hash, attempts: 0, cached: false }),
    );
    expect(counters.addIncrement.mock.calls.map(([, counter]) => counter)).toEqual(['submitted', 'cache_misses']);
    expect(transaction.exec.mock.invocationCallOrder[0]).toBeLessThan(jobs.enqueue.mock.invocationCallOrder[0]);
    expect(jobs.enqueue).toHaveBeenCalledWith({ requestId: outcome.requestId, paperHash: hash });
    expect(eventBus.publish).toHaveBeenCalledWith(new AnalysisQueuedEvent(outcome.requestId, hash));
  });

  it('answers a cached paper as done without storing the text or enqueuing', async () => {
    resultCache.get.mockResolvedValue(cachedResult);
    const outcome = await handler.execute(new AnalyzePaperCommand(submission));

    expect(outcome).toEqual({ requestId: expect.stringMatching(UUID_V4), status: 'done', result: cachedResult });
    expect(readModel.addCreate).toHaveBeenCalledWith(transaction, expect.objectContaining({ status: 'done', cached: true, result: cachedResult }));
    expect(counters.addIncrement.mock.calls.map(([, counter]) => counter)).toEqual(['submitted', 'cache_hits']);
    expect(papers.addSave).not.toHaveBeenCalled();
    expect(jobs.enqueue).not.toHaveBeenCalled();
  });

  it('removes the record when the job cannot be enqueued, and passes the error on', async () => {
    resultCache.get.mockResolvedValue(undefined);
    jobs.enqueue.mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(handler.execute(new AnalyzePaperCommand(submission))).rejects.toThrow('Connection is closed.');
    const [[, record]] = readModel.addCreate.mock.calls;
    expect(readModel.delete).toHaveBeenCalledWith(record.requestId);
    expect(eventBus.publish).not.toHaveBeenCalled();
  });

  it('gives every request its own random id', async () => {
    resultCache.get.mockResolvedValue(undefined);
    const ids = await Promise.all([1, 2, 3].map(() => handler.execute(new AnalyzePaperCommand(submission))));
    expect(new Set(ids.map((outcome) => outcome.requestId)).size).toBe(3);
  });
});
