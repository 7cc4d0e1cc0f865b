import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AnalysisJobProducer } from '../../../batching/analysis-job.producer';
import { QueuedRequest } from '../../../batching/analysis-queue';
import { BatchCollector } from '../../../batching/batch-collector';
import { WaitingRequests } from '../../../batching/waiting-requests';
import { addExpiringWrites, defineExpiringWrites, ExpiringHash, ExpiringString } from '../../../redis/expiring-writes';
import { repliesOf } from '../../../redis/pipeline-replies';
import { REDIS } from '../../../redis/redis.module';
import { AnalysisRecord } from '../../analysis-status';
import { PaperContent } from '../../paper-content';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { PaperStore } from '../../read-model/paper-store';
import { ServiceCounters } from '../../read-model/service-counters';

/** Submissions arriving within this window share one Redis pipeline and one Bull job. */
const WINDOW_MS = 2;
const MAX_PER_FLUSH = 500;

/** A request to record: answered from the cache (done) or queued with its paper. */
export type Submission = { record: AnalysisRecord & { status: 'done' } } | { record: AnalysisRecord & { status: 'queued' }; paper: PaperContent };

interface Pending {
  submission: Submission;
  resolve: () => void;
  reject: (error: Error) => void;
}

const isQueued = (submission: Submission): submission is Extract<Submission, { paper: PaperContent }> => 'paper' in submission;

/**
 * Writes the records of concurrent submissions (and their papers and counters) in one pipeline and
 * enqueues them as one job, so the cost in Redis commands per request falls as load rises.
 * A lone request waits at most WINDOW_MS for company.
 */
@Injectable()
export class SubmissionRecorder implements OnApplicationShutdown {
  private readonly collector = new BatchCollector<Pending>(MAX_PER_FLUSH, WINDOW_MS, (batch) => void this.flush(batch));

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readModel: AnalysisReadModel,
    private readonly papers: PaperStore,
    private readonly counters: ServiceCounters,
    private readonly jobs: AnalysisJobProducer,
    private readonly waiting: WaitingRequests,
  ) {
    defineExpiringWrites(redis);
  }

  /** Resolves once the record is stored and, for a queued request, its job is in the queue. */
  record(submission: Submission): Promise<void> {
    return new Promise((resolve, reject) => this.collector.add({ submission, resolve, reject }));
  }

  onApplicationShutdown(): void {
    this.collector.close();
  }

  private async flush(batch: Pending[]): Promise<void> {
    const queued = batch.filter((pending) => isQueued(pending.submission));
    const withdrawQueued = () => this.waiting.withdraw(queued.map(({ submission }) => this.readModel.keyOf(submission.record.requestId))).catch(() => 0);
    try {
      await this.writeRecords(batch);
    } catch (error) {
      // Failing is not proof the writes did not happen: a timed-out pipeline still runs when Redis wakes.
      if (queued.length > 0) void withdrawQueued();
      batch.forEach((pending) => pending.reject(error as Error));
      return;
    }
    batch.filter((pending) => !isQueued(pending.submission)).forEach((pending) => pending.resolve());
    if (queued.length === 0) return;
    const requests = queued.map(({ submission: { record } }) => ({ requestId: record.requestId, paperHash: record.paperHash }));
    try {
      await this.jobs.enqueue(requests);
      queued.forEach((pending) => pending.resolve());
    } catch (error) {
      if (await this.wasEnqueued(requests).catch(() => false)) {
        queued.forEach((pending) => pending.resolve());
        return;
      }
      // Their clients get no id, so records without jobs must not linger as "queued", nor count as waiting.
      await withdrawQueued();
      queued.forEach((pending) => pending.reject(error as Error));
    }
  }

  /**
   * A connection lost after Redis ran the add loses only its answer: the job is there, or a worker has already
   * run it (Bull removes completed jobs) and its requests have moved on from queued.
   */
  private async wasEnqueued(requests: readonly QueuedRequest[]): Promise<boolean> {
    return (await this.jobs.isEnqueued(requests)) || this.readModel.anyTaken(requests.map((request) => request.requestId));
  }

  private async writeRecords(batch: Pending[]): Promise<void> {
    const papers: ExpiringString[] = [];
    const records: ExpiringHash[] = [];
    for (const { submission } of batch) {
      if (isQueued(submission)) papers.push(this.papers.saving(submission.record.paperHash, submission.paper));
      records.push(this.readModel.creation(submission.record));
    }
    const queued = papers.length;
    // A plain pipeline: the writes are independent, and MULTI would double the replies to parse.
    const pipeline = this.redis.pipeline();
    addExpiringWrites(pipeline, records, papers);
    this.counters.addIncrement(pipeline, 'submitted', batch.length);
    if (queued > 0) {
      this.counters.addIncrement(pipeline, 'cache_misses', queued);
      this.waiting.addArrival(pipeline, queued);
    }
    if (queued < batch.length) this.counters.addIncrement(pipeline, 'cache_hits', batch.length - queued);
    await repliesOf(pipeline);
  }
}
