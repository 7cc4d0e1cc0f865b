import { Logger } from '@nestjs/common';
import type { Job, JobId, Queue } from 'bull';

/** How long a job stays locked to its worker without a renewal, and how often the worker renews it. */
export interface JobLockTiming {
  durationMs: number;
  renewEveryMs: number;
}

/** A failed renewal is tried again after a thirtieth of the lock's life: a second with a 30 s lock. */
const RETRIES_PER_LOCK_LIFE = 30;

/**
 * Bull renews the lock of each job in hand, but after one renewal fails (Redis paused, restarting, or
 * slower than the command timeout for a moment) it never renews that job's lock again. The lock then lapses
 * while the worker still runs the job: Bull's stalled-job check hands it to another run and counts a stall,
 * and a second stall fails the job for good, ending its requests in error though a worker is analysing them.
 * This takes over the renewals of such a job for as long as the worker has it in hand.
 */
export class JobLockKeeper {
  private readonly logger = new Logger(JobLockKeeper.name);
  private readonly inHand = new Set<JobId>();
  private readonly retryAfterMs: number;

  constructor(
    queue: Queue,
    private readonly lock: JobLockTiming,
  ) {
    this.retryAfterMs = lock.durationMs / RETRIES_PER_LOCK_LIFE;
    queue.on('lock-extension-failed', (job: Job, error: Error) => void this.keep(job, error));
  }

  /** Runs the work on a job Bull handed over; the job's lock is kept while the work lasts. */
  async whileInHand<T>(job: Job, work: () => Promise<T>): Promise<T> {
    this.inHand.add(job.id);
    try {
      return await work();
    } finally {
      this.inHand.delete(job.id);
    }
  }

  /** Whether the worker has the job in hand. */
  has(jobId: JobId): boolean {
    return this.inHand.has(jobId);
  }

  private async keep(job: Job, error: Error): Promise<void> {
    if (!this.inHand.has(job.id)) return;
    this.logger.warn(`Bull could not renew the lock of job ${job.id} (${error.message}); renewing it here while the job runs`);
    let waitMs = this.retryAfterMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      if (!this.inHand.has(job.id)) return;
      const renewed = await job.extendLock(this.lock.durationMs).then(
        (extended) => extended === 1,
        () => undefined,
      );
      if (renewed === false) {
        this.logger.warn(`The lock of job ${job.id} lapsed before it could be renewed: another worker may run the job too`);
        return;
      }
      waitMs = renewed ? this.lock.renewEveryMs : this.retryAfterMs;
    }
  }
}
