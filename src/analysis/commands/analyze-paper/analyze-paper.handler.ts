import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, ICommandHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AnalysisJobProducer } from '../../../batching/analysis-job.producer';
import { AnalyzerIdentity } from '../../../llm/analyzer-identity';
import { REDIS } from '../../../redis/redis.module';
import { AnalysisRecord } from '../../analysis-status';
import { AnalysisQueuedEvent } from '../../events/analysis-queued.event';
import { normalisePaper, paperHash } from '../../paper-content';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { PaperStore } from '../../read-model/paper-store';
import { ResultCache } from '../../read-model/result-cache';
import { ServiceCounters } from '../../read-model/service-counters';
import { AnalyzePaperCommand, AnalyzePaperOutcome } from './analyze-paper.command';

/**
 * Normalises and hashes the paper, answers from the result cache when it can, and otherwise stores
 * the paper once, writes the request's record and enqueues its job. The record is written here, before
 * the answer, so the returned id can be polled at once.
 */
@CommandHandler(AnalyzePaperCommand)
export class AnalyzePaperHandler implements ICommandHandler<AnalyzePaperCommand, AnalyzePaperOutcome> {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly identity: AnalyzerIdentity,
    private readonly resultCache: ResultCache,
    private readonly papers: PaperStore,
    private readonly readModel: AnalysisReadModel,
    private readonly counters: ServiceCounters,
    private readonly jobs: AnalysisJobProducer,
    private readonly eventBus: EventBus,
  ) {}

  async execute({ paper: submission }: AnalyzePaperCommand): Promise<AnalyzePaperOutcome> {
    const paper = normalisePaper(submission);
    const hash = paperHash(paper);
    const cached = await this.resultCache.get(this.identity.cacheKey(hash));
    const now = new Date().toISOString();
    const record: AnalysisRecord = { requestId: randomUUID(), paperHash: hash, submittedAt: now, attempts: 0, status: 'queued', cached: false };

    const transaction = this.redis.multi();
    this.counters.addIncrement(transaction, 'submitted');
    if (cached) {
      this.readModel.addCreate(transaction, { ...record, status: 'done', cached: true, finishedAt: now, result: cached });
      this.counters.addIncrement(transaction, 'cache_hits');
      await transaction.exec();
      return { requestId: record.requestId, status: 'done', result: cached };
    }

    this.papers.addSave(transaction, hash, paper);
    this.readModel.addCreate(transaction, record);
    this.counters.addIncrement(transaction, 'cache_misses');
    await transaction.exec();
    await this.enqueue(record);
    return { requestId: record.requestId, status: 'queued' };
  }

  private async enqueue(record: AnalysisRecord): Promise<void> {
    try {
      await this.jobs.enqueue({ requestId: record.requestId, paperHash: record.paperHash });
    } catch (error) {
      // The client gets no id, so a record without a job must not linger as "queued".
      await this.readModel.delete(record.requestId).catch(() => undefined);
      throw error;
    }
    this.eventBus.publish(new AnalysisQueuedEvent(record.requestId, record.paperHash));
  }
}
