import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { Job, Queue } from 'bull';
import { AnalysisCompletedEvent } from '../analysis/events/analysis-completed.event';
import { AnalysisFailedEvent } from '../analysis/events/analysis-failed.event';
import { AnalysisStartedEvent } from '../analysis/events/analysis-started.event';
import { PermanentError } from '../common/permanent-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ANALYSIS_QUEUE, ANALYZE_PAPER_JOB, AnalyzePaperJob } from './analysis-queue';
import { BatchAnalysisService } from './batch-analysis.service';
import { failureMessage } from './failure-message';

/**
 * Takes analysis jobs from Bull and reports their progress as domain events. Enough jobs run at once
 * to fill a batch for every LLM call allowed in flight; a failure reaches Bull, which retries it with
 * backoff, unless it is permanent.
 */
@Injectable()
export class AnalysisWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(AnalysisWorker.name);
  private readonly concurrency: number;

  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue<AnalyzePaperJob>,
    private readonly batchAnalysis: BatchAnalysisService,
    private readonly eventBus: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.concurrency = config.batching.size * config.llm.maxInflight;
  }

  onApplicationBootstrap(): void {
    this.queue.on('failed', (job: Job<AnalyzePaperJob>, error: Error) => this.reportFailure(job, error));
    void this.queue.process(ANALYZE_PAPER_JOB, this.concurrency, (job: Job<AnalyzePaperJob>) => this.process(job));
  }

  private async process(job: Job<AnalyzePaperJob>): Promise<void> {
    const { requestId, paperHash } = job.data;
    this.eventBus.publish(new AnalysisStartedEvent(requestId, job.attemptsMade + 1, new Date()));
    try {
      const result = await this.batchAnalysis.analyze(paperHash);
      this.eventBus.publish(new AnalysisCompletedEvent(requestId, result, new Date()));
    } catch (error) {
      if (error instanceof PermanentError) await job.discard();
      throw error;
    }
  }

  /** Bull has already counted the attempt; a failure is final once no attempt remains or it was discarded. */
  private reportFailure(job: Job<AnalyzePaperJob>, error: Error): void {
    const final = error instanceof PermanentError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`Request ${job.data.requestId} attempt ${job.attemptsMade} failed${final ? ' for good' : ''}: ${error.name}: ${error.message}`);
    if (final) this.eventBus.publish(new AnalysisFailedEvent(job.data.requestId, failureMessage(error, job.attemptsMade), new Date()));
  }
}
