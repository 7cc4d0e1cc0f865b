import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Queue } from 'bull';
import type { ChainableCommander } from 'ioredis';
import { AnalysisCompletedEvent } from '../analysis/events/analysis-completed.event';
import { AnalysisFailedEvent } from '../analysis/events/analysis-failed.event';
import { AnalysisReturnedEvent } from '../analysis/events/analysis-returned.event';
import { AnalysisStartedEvent } from '../analysis/events/analysis-started.event';
import { publishedWritesSent } from '../analysis/events/analysis.projection';
import { AnalysisReadModel } from '../analysis/read-model/analysis-read-model';
import { PermanentError } from '../common/permanent-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AnalysisWithdrawnError } from '../llm/llm-errors';
import { JOB_LOCK } from '../redis/bull-options';
import { repliesOf } from '../redis/pipeline-replies';
import { AnalysisJobProducer } from './analysis-job.producer';
import { ANALYSIS_QUEUE, ANALYZE_PAPERS_JOB, AnalyzePapersJob, attemptsSoFar, QueuedRequest } from './analysis-queue';
import { BatchAnalysisService } from './batch-analysis.service';
import { failureMessage } from './failure-message';
import { JobLockKeeper } from './job-lock-keeper';
import { HeldRequests, IntakeClosedError, RequestIntake } from './request-intake';
import { WaitingRequests } from './waiting-requests';

/**
 * How often, and how far apart, the worker tries what nothing would do after it: give a job back before it
 * lets the job fail, and record the errors of a job Bull has failed for good.
 */
const LAST_CHANCE_TRIES = 3;
const LAST_CHANCE_RETRY_MS = 500;

/** `action`'s outcome once it succeeds, within LAST_CHANCE_TRIES; the last failure is thrown. */
async function withLastChances<T>(action: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await action();
    } catch (error) {
      if (tries === LAST_CHANCE_TRIES) throw error;
      await sleep(LAST_CHANCE_RETRY_MS);
    }
  }
}
/**
 * How long a stopping worker lets LLM calls under way run (LLM_TIMEOUT_MS allows 60 s) before it cuts them off
 * and gives their requests back: well within the 15 s `npm start` and docker-compose.yml give a process to
 * stop, with time left to give them back, where being killed would leave its jobs to stall.
 */
export const CUT_OFF_CALLS_AFTER_MS = 10_000;

/**
 * How often a worker looks for jobs Bull failed for good whose failure no worker managed to report, and how
 * long after failing a job is first looked at, the report of the worker that saw it fail having had its chances.
 */
const UNREPORTED_FAILURES_EVERY_MS = 60_000;
const REPORT_GRACE_MS = 60_000;
/** Set in a failed job's hash once the errors of its requests are recorded. */
const FAILURE_REPORTED = 'failureReported';

/** What `analyze` answers for a request withdrawn, untried or cut off, as the worker stopped. */
const WITHDRAWN = 'withdrawn';

/**
 * Takes jobs from Bull, each carrying the requests of one submission window, and reports every request's
 * progress as domain events. A request that fails for good (a permanent error, or its last attempt) ends
 * in error at once; if others can still be retried the job fails, and Bull retries it with backoff for
 * just the requests not yet finished.
 *
 * Bull hands the worker up to its concurrency in jobs, and a job can carry hundreds of requests: a job
 * starts only while the worker holds fewer requests than its batches can work on (RequestIntake). Until
 * then its requests stay queued, and a stopping worker gives them back to the queue rather than keep them
 * until their analyses end (hours, behind a key's rate limits) or let them stall when it is killed. So too
 * the requests it had started whose calls still wait for room under the rate limits: their waits end, and
 * they go back untried.
 */
@Injectable()
export class AnalysisWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnalysisWorker.name);
  private readonly concurrency: number;
  /** Failures being reported, which the shutdown waits for like the jobs themselves. */
  private readonly reporting = new Set<Promise<void>>();
  private readonly intake: RequestIntake;
  private locks: JobLockKeeper | undefined;
  private unreportedFailureChecks: NodeJS.Timeout | undefined;

  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue<AnalyzePapersJob>,
    private readonly batchAnalysis: BatchAnalysisService,
    private readonly readModel: AnalysisReadModel,
    private readonly waiting: WaitingRequests,
    private readonly jobs: AnalysisJobProducer,
    private readonly eventBus: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.concurrency = config.batching.size * config.llm.maxInflight;
    this.intake = new RequestIntake(batchAnalysis.requestsInProgress);
  }

  onApplicationBootstrap(): void {
    this.queue.on('failed', (job: Job<AnalyzePapersJob> | null, error: Error) => {
      const reported = this.reportFailure(job, error).finally(() => this.reporting.delete(reported));
      this.reporting.add(reported);
    });
    this.unreportedFailureChecks = setInterval(() => void this.reportUnreportedFailures(Date.now() - REPORT_GRACE_MS), UNREPORTED_FAILURES_EVERY_MS).unref();
    const locks = (this.locks = new JobLockKeeper(this.queue, JOB_LOCK));
    void this.queue.process(ANALYZE_PAPERS_JOB, this.concurrency, (job: Job<AnalyzePapersJob>) => locks.whileInHand(job, () => this.process(job)));
  }

  /**
   * Gives back the jobs not started and the requests whose calls wait for the rate limits, takes no more, and
   * finishes the rest while their outcomes can still be recorded: Nest destroys this module before the LLM one
   * and the global CQRS one, whose event bus drops its subscribers, the projection among them; Bull's own close
   * comes later still. Calls still under way after CUT_OFF_CALLS_AFTER_MS are cut off and their requests given back.
   */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.unreportedFailureChecks);
    this.intake.close();
    this.batchAnalysis.stopWaiting();
    const cutOff = setTimeout(() => {
      const calls = this.batchAnalysis.cutOffCalls();
      if (calls > 0) this.logger.warn(`Cut off ${calls} LLM call(s) still under way ${CUT_OFF_CALLS_AFTER_MS / 1000} s into the stop: their requests go back to the queue`);
    }, CUT_OFF_CALLS_AFTER_MS);
    // Pausing reconnects Bull's blocking connection, which fails while Redis is down; the rest of the
    // shutdown (Bull's close, releasing claims) must still run.
    await this.queue.pause(true).catch((error: Error) => this.logger.warn(`Could not wait for the jobs in hand: ${error.message}`));
    clearTimeout(cutOff);
    await this.giveBackFetchedAsPaused().catch((error: Error) => this.logger.warn(`Could not give back the jobs fetched as the worker paused: ${error.message}`));
    // A job that failed for good as it ended is still being reported: its events must reach the projection too.
    await Promise.all(this.reporting);
  }

  /**
   * Bull fetches the next job as it completes one, unless the worker was already paused when it asked: a job
   * completed as the pause began brings one that Bull holds locked to this worker, to start once the pause
   * ends, which it never does. Given back here, its requests go to the next worker at once, not once the lock
   * lapses 30 s on, and without counting a stall against the job.
   */
  private async giveBackFetchedAsPaused(): Promise<void> {
    const ownLock = (this.queue as unknown as { token: string }).token;
    const active = await this.queue.client.lrange(this.queue.toKey('active'), 0, -1);
    const locks = await this.readEachJob(active, (pipeline, jobKey) => pipeline.get(`${jobKey}:lock`));
    for (const [index, id] of active.entries()) {
      // Another worker's job may finish, and leave Bull, meanwhile: getJob then finds none.
      const job = locks[index] === ownLock && !this.locks?.has(id) ? await this.queue.getJob(id) : null;
      if (!job) continue;
      await this.giveBack(job, job.data.requests);
      await job.moveToCompleted(undefined, false, true);
    }
  }

  /** One read for each of the jobs `ids`, in one pipeline; `read` adds it, given the job's key. */
  private readEachJob(ids: readonly string[], read: (pipeline: ChainableCommander, jobKey: string) => ChainableCommander): Promise<unknown[]> {
    return repliesOf(ids.reduce((pipeline, id) => read(pipeline, this.queue.toKey(id)), this.queue.client.pipeline()));
  }

  private async process(job: Job<AnalyzePapersJob>): Promise<void> {
    let held: HeldRequests;
    try {
      held = await this.intake.admit(job.data.requests.length);
    } catch (error) {
      if (!(error instanceof IntakeClosedError)) throw error;
      return this.giveBack(job, job.data.requests);
    }
    try {
      await this.analyzeAll(job, held);
    } finally {
      held.end();
    }
  }

  /**
   * Adds requests of the job again as a new job, with the attempts the job had spent before this run; the job
   * then goes on to complete. A worker dying in between leaves both; the second to run finds the requests
   * finished. Failing would cost the job an attempt, perhaps its last, for requests not even tried: a failed
   * add is tried again, and only then the job fails.
   */
  private async giveBack(job: Job<AnalyzePapersJob>, requests: readonly QueuedRequest[]): Promise<void> {
    const givenBackAs = await withLastChances(() => this.jobs.enqueueAgain(job.id, requests, attemptsSoFar(job)));
    // The requests are in the new job now: failing this one could only end them in error.
    await this.waiting.returned(job, givenBackAs, requests.length).catch((error: Error) => this.logger.warn(`Job ${job.id} given back, but its requests not counted as waiting again: ${error.message}`));
  }

  private async analyzeAll(job: Job<AnalyzePapersJob>, held: HeldRequests): Promise<void> {
    const attempt = attemptsSoFar(job) + 1;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { requests } = job.data;
    // Bookkeeping for backpressure: failing the job for it could end the requests in error untried, on a last attempt.
    await this.waiting.taken(job).catch((error: Error) => this.logger.warn(`Job ${job.id} started, but its requests not taken off the waiting count: ${error.message}`));
    // A retry, or a run of a job whose worker died, leaves the requests already finished alone.
    const pending = await this.unfinished(requests);
    held.letGo(requests.length - pending.length);
    const outcomes = await Promise.all(pending.map((request) => this.analyze(request, attempt, lastAttempt).finally(() => held.letGo())));
    const withdrawn = pending.filter((_, index) => outcomes[index] === WITHDRAWN);
    // Queued again, whether another job takes them below or Bull's retry of this one does.
    withdrawn.forEach(({ requestId }) => this.eventBus.publish(new AnalysisReturnedEvent(requestId, attemptsSoFar(job))));
    const retryable = outcomes.filter((outcome): outcome is Error => outcome instanceof Error);
    // Never on a last attempt, where every failure is final; the retry takes the withdrawn requests along.
    if (retryable.length > 0) throw retryable[0];
    // Read after the writes above, on their connection, so they are in before another job can start them.
    await publishedWritesSent();
    await this.assertRecorded(pending.filter((_, index) => outcomes[index] !== WITHDRAWN));
    // Last: once another job carries them, nothing may fail this one, whose failure for good would end them in error.
    if (withdrawn.length > 0) await this.giveBack(job, withdrawn);
  }

  /**
   * The projection sent each outcome's writes before this read, on the same connection. A request still
   * unfinished here lost its write (Redis failed that one alone): the job fails, and Bull's retry reports
   * the request again (a result comes from the result cache) rather than leaving it processing until it expires.
   */
  private async assertRecorded(requests: readonly QueuedRequest[]): Promise<void> {
    const unrecorded = (await this.unfinished(requests)).length;
    if (unrecorded > 0) throw new Error(`${unrecorded} of the job's ${requests.length} outcomes could not be recorded`);
  }

  /** Analyses one request and reports it; answers the error if the request may be tried again, WITHDRAWN if it was not tried. */
  private async analyze({ requestId, paperHash }: QueuedRequest, attempt: number, lastAttempt: boolean): Promise<Error | typeof WITHDRAWN | undefined> {
    this.eventBus.publish(new AnalysisStartedEvent(requestId, attempt, new Date()));
    try {
      this.eventBus.publish(new AnalysisCompletedEvent(requestId, await this.batchAnalysis.analyze(paperHash), new Date()));
      return undefined;
    } catch (error) {
      if (error instanceof AnalysisWithdrawnError) return WITHDRAWN;
      const failure = error as Error;
      const final = failure instanceof PermanentError || lastAttempt;
      this.logger.warn(`Request ${requestId} attempt ${attempt} failed${final ? ' for good' : ''}: ${failure.name}: ${failure.message}`);
      if (!final) return failure;
      this.eventBus.publish(new AnalysisFailedEvent(requestId, failureMessage(failure, attempt), new Date()));
      return undefined;
    }
  }

  private async unfinished(requests: readonly QueuedRequest[]): Promise<QueuedRequest[]> {
    const settled = await this.readModel.settledAmong(requests.map((request) => request.requestId));
    return requests.filter((request) => !settled.has(request.requestId));
  }

  /**
   * Reports again the failures of jobs Bull failed for good up to `failedBefore` (it keeps them a day) that no
   * worker recorded: the worker that saw one fail tries three times, and gone or cut off from Redis meanwhile,
   * it would have left the job's requests queued or processing until their records expire.
   */
  async reportUnreportedFailures(failedBefore: number): Promise<void> {
    try {
      const ids = await this.queue.client.zrangebyscore(this.queue.toKey('failed'), '-inf', String(failedBefore));
      const marks = await this.readEachJob(ids, (pipeline, jobKey) => pipeline.hget(jobKey, FAILURE_REPORTED));
      for (const [index, id] of ids.entries()) {
        const job = marks[index] === null ? await this.queue.getJob(id) : null;
        if (job) await this.reportFailure(job, new Error(job.failedReason ?? 'the job failed'));
      }
    } catch (error) {
      this.logger.warn(`Could not look for job failures left unreported: ${(error as Error).message}`);
    }
  }

  /**
   * Bull reports every failed attempt; it dates a job finished only when it failed for good: something
   * outside the analyses broke on its last attempt (Redis, say), or it stalled more often than Bull allows
   * (the workers holding it died). Its unfinished requests end in error then, so none is left queued.
   * Bull reports no job when it was removed before the event: then there is nothing left to read. Nothing
   * would run the job again, so the errors are read back, and written again if they were lost. A job that
   * stalled before any worker took its requests off the waiting count is taken off it now.
   */
  private async reportFailure(job: Job<AnalyzePapersJob> | null, error: Error): Promise<void> {
    if (!job?.finishedOn) return;
    const attempts = Math.max(attemptsSoFar(job), 1);
    const report = async () => {
      await this.waiting.taken(job);
      const unfinished = await this.unfinished(job.data.requests);
      for (const { requestId } of unfinished) this.eventBus.publish(new AnalysisFailedEvent(requestId, failureMessage(error, attempts), new Date()));
      await publishedWritesSent();
      await this.assertRecorded(unfinished);
      await this.queue.client.hset(this.queue.toKey(String(job.id)), FAILURE_REPORTED, '1');
    };
    try {
      await withLastChances(report);
    } catch (reportError) {
      this.logger.error(`Could not report the failure of job ${job.id}: ${(reportError as Error).message}`);
    }
  }
}
