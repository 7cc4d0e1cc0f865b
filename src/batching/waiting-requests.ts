import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, JobId, Queue } from 'bull';
import Redis, { ChainableCommander } from 'ioredis';
import { repliesOf } from '../redis/pipeline-replies';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';
import { ANALYSIS_QUEUE } from './analysis-queue';

/**
 * Takes a job's requests off the waiting count the first time any worker starts the job: the mark lives in
 * the job's own hash, so it goes when the job does, and a retry or a run after a worker died takes nothing.
 */
const TAKE_ONCE = `
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('HSETNX', KEYS[2], 'requestsTaken', '1') == 0 then
  return 0
end
redis.call('DECRBY', KEYS[1], ARGV[1])
return 1`;

/**
 * Counts requests a stopping worker gave back (KEYS[2] is the job it took them from, KEYS[3] the job it added
 * for them) as waiting again, if a run of the first had taken them off, and once for the job they went back in:
 * a give-back that found that job already there (an earlier run gave back the same) added nothing. A job no
 * longer there was taken and finished, its requests taken off with it, so they are counted again.
 */
const RETURN_TAKEN = `
if redis.call('HGET', KEYS[2], 'requestsTaken') ~= '1' then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('HSETNX', KEYS[3], 'returnCounted', '1') == 0 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
return 1`;

/**
 * Deletes the records of requests that will get no job, and takes off the waiting count as many as it deleted:
 * a record that was never written (its write failed before reaching Redis) was never counted either.
 */
const WITHDRAW = `
local deleted = 0
for i = 2, #KEYS do
  deleted = deleted + redis.call('DEL', KEYS[i])
end
if deleted > 0 then
  redis.call('DECRBY', KEYS[1], deleted)
end
return deleted`;

type TakingRedis = Redis & {
  takeWaitingRequests(countKey: string, jobKey: string, count: number): Promise<number>;
  withdrawWaitingRequests(keyCount: number, countKey: string, ...recordKeys: string[]): Promise<number>;
  returnTakenRequests(countKey: string, jobKey: string, givenBackJobKey: string, count: number): Promise<number>;
};

/**
 * How many requests wait for a worker. A job carries a whole submission window, so Bull's job counts say
 * little: API processes add each job's requests to a count in Redis and workers take them off as they start
 * a job. An empty wait list means nothing waits, whatever the count says.
 */
@Injectable()
export class WaitingRequests {
  private readonly redis: TakingRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue,
  ) {
    if (!('takeWaitingRequests' in redis)) redis.defineCommand('takeWaitingRequests', { numberOfKeys: 2, lua: TAKE_ONCE });
    if (!('withdrawWaitingRequests' in redis)) redis.defineCommand('withdrawWaitingRequests', { lua: WITHDRAW });
    if (!('returnTakenRequests' in redis)) redis.defineCommand('returnTakenRequests', { numberOfKeys: 3, lua: RETURN_TAKEN });
    this.redis = redis as TakingRedis;
  }

  /**
   * Adds to `pipeline` the counting of `count` requests whose job is about to be added. Counted before the
   * job exists, a worker can never take them off first, and a failed add is undone with `withdraw`.
   */
  addArrival(pipeline: ChainableCommander, count: number): void {
    pipeline.incrby(redisKeys.waitingRequests, count);
  }

  /**
   * Undoes the arrival of requests that will get no job: deletes their records and takes off the count those
   * that were written. Sent on the connection that sent the writes, it runs after them even when their answer
   * was lost (a command timed out, say), so writes that still reach Redis are undone too.
   */
  withdraw(recordKeys: readonly string[]): Promise<number> {
    return this.redis.withdrawWaitingRequests(1 + recordKeys.length, redisKeys.waitingRequests, ...recordKeys);
  }

  /** Whether this call took the job's requests off the count (false when an earlier run of the job had). */
  async taken(job: Job<{ requests: readonly unknown[] }>): Promise<boolean> {
    return (await this.redis.takeWaitingRequests(redisKeys.waitingRequests, this.queue.toKey(String(job.id)), job.data.requests.length)) === 1;
  }

  /**
   * `count` of the job's requests wait again, in the job `givenBackAs` a stopping worker added for them: counted
   * again if a run of this job had taken them off, once however many runs gave them back in that job, which
   * takes them off when it starts.
   */
  async returned(job: Job<{ requests: readonly unknown[] }>, givenBackAs: JobId, count: number): Promise<void> {
    await this.redis.returnTakenRequests(redisKeys.waitingRequests, this.queue.toKey(String(job.id)), this.queue.toKey(String(givenBackAs)), count);
  }

  async count(): Promise<number> {
    const [waitingJobs, waitingRequests] = (await repliesOf(
      this.redis.pipeline().llen(this.queue.toKey('wait')).get(redisKeys.waitingRequests),
    )) as [number, string | null];
    return waitingJobs === 0 ? 0 : Math.max(waitingJobs, Number(waitingRequests ?? 0));
  }
}
