import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import type { JobId, JobOptions, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ANALYSIS_QUEUE, ANALYZE_PAPERS_JOB, AnalyzePapersJob, QueuedRequest } from './analysis-queue';
import { LLM_AWARE_BACKOFF, RetryDelayOptions } from './retry-delay';

const FAILED_JOB_KEPT_SECONDS = 86_400;

const requestsJobId = (requests: readonly QueuedRequest[]) => requests[0].requestId;
/** The same requests given back by the same job with the same attempts spent always make the same id. */
const givenBackJobId = (givenBackBy: JobId, requests: readonly QueuedRequest[], attemptsBefore: number) =>
  hash('sha256', [givenBackBy, attemptsBefore, ...requests.map((request) => request.requestId)].join(','), 'base64url');

@Injectable()
export class AnalysisJobProducer {
  private readonly options: JobOptions;

  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue<AnalyzePapersJob>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.options = {
      attempts: config.llm.attempts,
      backoff: { type: LLM_AWARE_BACKOFF, options: { baseDelayMs: config.llm.retryDelayMs } satisfies RetryDelayOptions },
      // Completed jobs leave Bull at once: the read model keeps what clients need. A job that failed for good
      // stays a day, so the worker that saw it fail can read which requests it carried, even when Bull failed
      // it in its stalled-job check rather than in a worker.
      removeOnComplete: true,
      removeOnFail: { age: FAILED_JOB_KEPT_SECONDS },
    };
  }

  /**
   * Adds one job for all the requests, whose caller has already counted them as waiting. Its id is the
   * first request's: Bull's own ids are sequential and would be guessable.
   */
  async enqueue(requests: readonly QueuedRequest[]): Promise<void> {
    await this.queue.add(ANALYZE_PAPERS_JOB, { requests: [...requests] }, { ...this.options, jobId: requestsJobId(requests) });
  }

  /**
   * Adds a job for requests a stopping worker gives back without starting them, with the attempts they have
   * left. It needs an id of its own, since the job they came in (`givenBackBy`) is still the worker's until it
   * returns; one made from that job, the requests and their attempts, so that an add tried again after its reply
   * was lost finds the job there (Bull adds nothing for an id it holds) rather than adding the requests a second
   * time. Answers the id. The job's id is part of it: a stopping worker can still be handed the job it gave back (Bull's
   * blocking fetch, already waiting when the worker paused, takes it) and must then be able to give it back too.
   */
  async enqueueAgain(givenBackBy: JobId, requests: readonly QueuedRequest[], attemptsBefore: number): Promise<JobId> {
    const attempts = Math.max(1, (this.options.attempts ?? 1) - attemptsBefore);
    const jobId = givenBackJobId(givenBackBy, requests, attemptsBefore);
    await this.queue.add(ANALYZE_PAPERS_JOB, { requests: [...requests], attemptsBefore }, { ...this.options, attempts, jobId });
    return jobId;
  }

  /** Whether the job of these requests is in Bull: an add whose answer was lost may still have been made. */
  async isEnqueued(requests: readonly QueuedRequest[]): Promise<boolean> {
    return (await this.queue.getJob(requestsJobId(requests))) !== null;
  }
}
