import { Logger } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { AnalysisReadModel, RecordAdvance, recordAdvances } from '../read-model/analysis-read-model';
import { AnalysisCompletedEvent } from './analysis-completed.event';
import { AnalysisFailedEvent } from './analysis-failed.event';
import { AnalysisReturnedEvent } from './analysis-returned.event';
import { AnalysisStartedEvent } from './analysis-started.event';

type WorkerEvent = AnalysisStartedEvent | AnalysisCompletedEvent | AnalysisFailedEvent | AnalysisReturnedEvent;

function advanceFor(event: WorkerEvent): RecordAdvance {
  if (event instanceof AnalysisReturnedEvent) return recordAdvances.returned(event.requestId, event.attemptsBefore);
  const at = event.at.toISOString();
  if (event instanceof AnalysisStartedEvent) return recordAdvances.processing(event.requestId, event.attempt, at);
  if (event instanceof AnalysisCompletedEvent) return recordAdvances.done(event.requestId, event.result, at);
  return recordAdvances.failed(event.requestId, event.reason, at);
}

/**
 * Resolves once the writes of the events published so far are sent, so that a read sent after it sees them.
 * Their microtask was queued when the first was published, and microtasks run in order.
 */
export const publishedWritesSent = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

/**
 * Keeps each request's record current as workers report progress. (The result cache is filled by the
 * worker that produced the result, before it lets other processes waiting for it go.)
 *
 * Events come in runs: a job's requests all start at once, and a call's papers all end at once. The events
 * published during one run of microtasks are written together, in one command queued as that run's last
 * microtask. Whatever a publisher does after its await (the worker reading the records back to acknowledge
 * the job) comes in a later microtask, so its Redis commands follow the writes on the connection; a lost write
 * fails the job there, and Bull's retry reports the request again.
 */
@EventsHandler(AnalysisStartedEvent, AnalysisCompletedEvent, AnalysisFailedEvent, AnalysisReturnedEvent)
export class AnalysisProjection implements IEventHandler<WorkerEvent> {
  private readonly logger = new Logger(AnalysisProjection.name);
  private unwritten: RecordAdvance[] = [];

  constructor(private readonly readModel: AnalysisReadModel) {}

  handle(event: WorkerEvent): void {
    const advance = advanceFor(event);
    if (this.unwritten.length === 0) queueMicrotask(() => void this.write());
    this.unwritten.push(advance);
  }

  private async write(): Promise<void> {
    const advances = this.unwritten;
    this.unwritten = [];
    try {
      await this.readModel.advanceUnfinished(advances);
    } catch (error) {
      this.logger.error(`Could not record the progress of ${advances.length} request(s): ${(error as Error).message}`);
    }
  }
}
