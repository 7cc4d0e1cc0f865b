import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResultCache } from '../analysis/read-model/result-cache';
import { AnalysisResult } from '../llm/analysis';
import { AnalysisWithdrawnError } from '../llm/llm-errors';
import { repliesOf } from '../redis/pipeline-replies';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';

/** Renews each of KEYS still held by ARGV[1] for ARGV[2] ms. */
const RENEW_HELD = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) end
end`;

/** Deletes KEYS[1] if ARGV[1] still holds it. */
const RELEASE_HELD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type ClaimingRedis = Redis & {
  renewHeldClaims(...keysThenArgs: (string | number)[]): Promise<void>;
  releaseHeldClaim(key: string, owner: string): Promise<number>;
};
type ClaimingTransaction = ChainableCommander & { releaseHeldClaim(key: string, owner: string): ChainableCommander };

/** A dead holder's claims lapse after this long; a live one renews them well before. */
const LEASE_MS = 30_000;
const RENEW_EVERY_MS = LEASE_MS / 3;
const POLL_EVERY_MS = 200;

/**
 * Single flight across worker processes: the first process to claim a paper's cache key analyses it,
 * the others wait for the result it stores. A claim is a Redis key with a lease that its holder renews
 * while it works, so the claims of a process that dies lapse and another takes over.
 */
@Injectable()
export class AnalysisClaims implements OnApplicationShutdown {
  private readonly owner = randomUUID();
  private readonly held = new Set<string>();
  private readonly redis: ClaimingRedis;
  private readonly renewal: NodeJS.Timeout;
  private closing = false;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly resultCache: ResultCache,
  ) {
    if (!('renewHeldClaims' in redis)) {
      redis.defineCommand('renewHeldClaims', { lua: RENEW_HELD });
      redis.defineCommand('releaseHeldClaim', { numberOfKeys: 1, lua: RELEASE_HELD });
    }
    this.redis = redis as ClaimingRedis;
    this.renewal = setInterval(() => void this.renewHeld(), RENEW_EVERY_MS).unref();
  }

  /**
   * Claims each cache key no other process holds; answers which were claimed, in order. If part of the
   * pipeline failed, every claim this process may hold of these keys (a failed reply may hide a SET that ran)
   * is let go before the error is thrown: held, they would be renewed for as long as this process lives, and
   * every request for their papers would wait for a result that never comes.
   */
  async claim(cacheKeys: readonly string[]): Promise<boolean[]> {
    if (cacheKeys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    cacheKeys.forEach((cacheKey) => pipeline.set(redisKeys.analysing(cacheKey), this.owner, 'PX', LEASE_MS, 'NX'));
    const replies = await repliesOf(pipeline).catch(async (failure: Error) => {
      await Promise.all(cacheKeys.map((cacheKey) => this.abandon(cacheKey).catch(() => undefined)));
      throw failure;
    });
    const claimed = replies.map((reply) => reply === 'OK');
    cacheKeys.forEach((cacheKey, index) => claimed[index] && this.held.add(cacheKey));
    return claimed;
  }

  /** Stores the result for every identical request, then lets the claim go: a waiter never finds neither. */
  async complete(cacheKey: string, result: AnalysisResult): Promise<void> {
    const transaction = this.redis.multi() as ClaimingTransaction;
    this.resultCache.addPut(transaction, cacheKey, result);
    transaction.releaseHeldClaim(redisKeys.analysing(cacheKey), this.owner);
    this.held.delete(cacheKey);
    await transaction.exec();
  }

  /** Lets the claim go without a result, so that a waiting process tries itself. */
  async abandon(cacheKey: string): Promise<void> {
    this.held.delete(cacheKey);
    await this.redis.releaseHeldClaim(redisKeys.analysing(cacheKey), this.owner);
  }

  /**
   * The result another process is producing; undefined if its claim ends without one. Once `stop` is aborted,
   * fails with AnalysisWithdrawnError.
   */
  async resultFromHolder(cacheKey: string, stop: AbortSignal): Promise<AnalysisResult | undefined> {
    for (;;) {
      await sleep(POLL_EVERY_MS, undefined, { signal: stop }).catch(() => {
        throw new AnalysisWithdrawnError('the analysis waited for another worker analysing the same paper');
      });
      const [result, stillClaimed] = await Promise.all([this.resultCache.get(cacheKey), this.redis.exists(redisKeys.analysing(cacheKey))]);
      if (result) return result;
      if (!stillClaimed) return this.resultCache.get(cacheKey);
    }
  }

  /**
   * The worker waits for its jobs before this hook, but not always to the end (Redis down, say), and Bull's
   * queues close after it and wait for any still running: their claims keep being renewed until the last
   * one is let go; then the renewal stops.
   */
  onApplicationShutdown(): void {
    this.closing = true;
    this.stopRenewingOnceIdle();
  }

  private stopRenewingOnceIdle(): void {
    if (this.closing && this.held.size === 0) clearInterval(this.renewal);
  }

  private async renewHeld(): Promise<void> {
    if (this.held.size === 0) return this.stopRenewingOnceIdle();
    const keys = [...this.held].map(redisKeys.analysing);
    await this.redis.renewHeldClaims(keys.length, ...keys, this.owner, LEASE_MS).catch(() => undefined);
  }
}
