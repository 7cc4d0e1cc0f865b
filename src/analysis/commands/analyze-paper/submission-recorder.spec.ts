import Redis from 'ioredis';
import { AnalysisJobProducer } from '../../../batching/analysis-job.producer';
import { WaitingRequests } from '../../../batching/waiting-requests';
import { AnalysisRecord } from '../../analysis-status';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { PaperStore } from '../../read-model/paper-store';
import { ServiceCounters } from '../../read-model/service-counters';
import { SubmissionRecorder } from './submission-recorder';

const record = <S extends 'queued' | 'done'>(requestId: string, status: S) =>
  ({ requestId, status, paperHash: `hash-${requestId}`, submittedAt: '2026-11-28T10:00:00.000Z', attempts: 0, cached: status === 'done' }) as AnalysisRecord & {
    status: S;
  };

describe('SubmissionRecorder', () => {
  const transaction = { exec: jest.fn(), writeExpiring: jest.fn() };
  const redis = { pipeline: jest.fn(() => transaction), defineCommand: jest.fn() };
  const readModel = {
    creation: (written: AnalysisRecord) => ({ key: `rpa:request:${written.requestId}`, fields: ['status', written.status], ttlSeconds: 60 }),
    keyOf: (id: string) => `rpa:request:${id}`,
    anyTaken: jest.fn(),
  };
  const papers = { saving: (hash: string) => ({ key: `rpa:paper:${hash}`, value: '{}', ttlSeconds: 60 }) };
  const counters = { addIncrement: jest.fn() };
  const jobs = { enqueue: jest.fn(), isEnqueued: jest.fn() };
  const waiting = { addArrival: jest.fn(), withdraw: jest.fn() };
  const recorder = new SubmissionRecorder(
    redis as unknown as Redis,
    readModel as unknown as AnalysisReadModel,
    papers as unknown as PaperStore,
    counters as unknown as ServiceCounters,
    jobs as unknown as AnalysisJobProducer,
    waiting as unknown as WaitingRequests,
  );

  beforeEach(() => {
    jest.clearAllMocks();
    transaction.exec.mockResolvedValue([]);
    waiting.withdraw.mockResolvedValue(0);
    jobs.enqueue.mockResolvedValue(undefined);
    jobs.isEnqueued.mockResolvedValue(false);
    readModel.anyTaken.mockResolvedValue(false);
  });

  it('writes concurrent submissions in one pipeline and enqueues them as one job', async () => {
    await Promise.all([
      recorder.record({ record: record('a', 'queued'), paper: { text: 'A' } }),
      recorder.record({ record: record('b', 'done') }),
      recorder.record({ record: record('c', 'queued'), paper: { text: 'C' } }),
    ]);
    expect(redis.pipeline).toHaveBeenCalledTimes(1);
    expect(transaction.writeExpiring).toHaveBeenCalledTimes(1);
    const [keyCount, ...keysThenArgs] = transaction.writeExpiring.mock.calls[0];
    expect(keysThenArgs.slice(0, keyCount)).toEqual(['rpa:request:a', 'rpa:request:b', 'rpa:request:c', 'rpa:paper:hash-a', 'rpa:paper:hash-c']);
    expect(counters.addIncrement.mock.calls.map(([, counter, by]) => [counter, by])).toEqual([
      ['submitted', 3],
      ['cache_misses', 2],
      ['cache_hits', 1],
    ]);
    expect(waiting.addArrival).toHaveBeenCalledWith(transaction, 2);
    expect(jobs.enqueue).toHaveBeenCalledTimes(1);
    expect(jobs.enqueue).toHaveBeenCalledWith([
      { requestId: 'a', paperHash: 'hash-a' },
      { requestId: 'c', paperHash: 'hash-c' },
    ]);
  });

  it('removes the records of queued submissions whose jobs could not be added, uncounts them, and fails only those', async () => {
    jobs.enqueue.mockRejectedValueOnce(new Error('Connection is closed.'));
    const [queued, done] = await Promise.allSettled([
      recorder.record({ record: record('q', 'queued'), paper: { text: 'Q' } }),
      recorder.record({ record: record('d', 'done') }),
    ]);
    expect(queued).toMatchObject({ status: 'rejected', reason: new Error('Connection is closed.') });
    expect(done.status).toBe('fulfilled');
    expect(waiting.withdraw).toHaveBeenCalledWith(['rpa:request:q']);
  });

  it('keeps and answers the submissions whose job was added although the add reported an error', async () => {
    jobs.enqueue.mockRejectedValueOnce(new Error('Connection is closed.'));
    jobs.isEnqueued.mockResolvedValueOnce(true);
    await expect(recorder.record({ record: record('q', 'queued'), paper: { text: 'Q' } })).resolves.toBeUndefined();
    expect(jobs.isEnqueued).toHaveBeenCalledWith([{ requestId: 'q', paperHash: 'hash-q' }]);
    expect(waiting.withdraw).not.toHaveBeenCalled();
  });

  it('keeps and answers the submissions whose job a worker already ran although the add reported an error', async () => {
    jobs.enqueue.mockRejectedValueOnce(new Error('Connection is closed.'));
    readModel.anyTaken.mockResolvedValueOnce(true);
    await expect(recorder.record({ record: record('q', 'queued'), paper: { text: 'Q' } })).resolves.toBeUndefined();
    expect(readModel.anyTaken).toHaveBeenCalledWith(['q']);
    expect(waiting.withdraw).not.toHaveBeenCalled();
  });

  it('fails every submission of a pipeline Redis refused, enqueuing nothing, and withdraws what may still be written', async () => {
    transaction.exec.mockResolvedValueOnce([[new Error('Command timed out'), null]]);
    const [queued, done] = await Promise.allSettled([
      recorder.record({ record: record('x', 'queued'), paper: { text: 'X' } }),
      recorder.record({ record: record('y', 'done') }),
    ]);
    expect([queued.status, done.status]).toEqual(['rejected', 'rejected']);
    expect(jobs.enqueue).not.toHaveBeenCalled();
    expect(waiting.withdraw).toHaveBeenCalledWith(['rpa:request:x']);
  });
});
