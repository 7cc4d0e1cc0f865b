import { Inject, Logger } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { REDIS } from '../../redis/redis.module';
import { AnalysisReadModel } from '../read-model/analysis-read-model';
import { ServiceCounters } from '../read-model/service-counters';
import { AnalysisCompletedEvent } from './analysis-completed.event';
import { AnalysisFailedEvent } from './analysis-failed.event';
import { AnalysisStartedEvent } from './analysis-started.event';

type WorkerEvent = AnalysisStartedEvent | AnalysisCompletedEvent | AnalysisFailedEvent;

/**
 * Keeps each request's record current as workers report progress. (The result cache is filled by the
 * worker that produced the result, before it lets other processes waiting for it go.)
 * The event bus calls it synchronously on publish, so its Redis writes are sent, in order, before
 * the worker reads the records back to acknowledge the job (a lost write fails the job, and Bull's retry
 * writes it again); each event's writes go in one transaction.
 */
@EventsHandler(AnalysisStartedEvent, AnalysisCompletedEvent, AnalysisFailedEvent)
export class AnalysisProjection implements IEventHandler<WorkerEvent> {
  private readonly logger = new Logger(AnalysisProjection.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readModel: AnalysisReadModel,
    private readonly counters: ServiceCounters,
  ) {}

  async handle(event: WorkerEvent): Promise<void> {
    const transaction = this.redis.multi();
    const at = event.at.toISOString();
    if (event instanceof AnalysisStartedEvent) {
      this.readModel.markProcessing(transaction, event.requestId, event.attempt, at);
    } else if (event instanceof AnalysisCompletedEvent) {
      this.readModel.markDone(transaction, event.requestId, event.result, at);
      this.counters.addIncrement(transaction, 'processed');
    } else {
      this.readModel.markFailed(transaction, event.requestId, event.reason, at);
      this.counters.addIncrement(transaction, 'failed');
    }
    const replies = await transaction.exec();
    const failure = replies?.find(([error]) => error)?.[0];
    if (failure) this.logger.error(`Could not record ${event.constructor.name} for ${event.requestId}: ${failure.message}`);
  }
}
