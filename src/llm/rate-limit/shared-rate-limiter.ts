import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { ServiceCounters } from '../../analysis/read-model/service-counters';
import { AppConfig } from '../../config/app-config';
import { KEY_PREFIX } from '../../redis/redis-keys';
import { AnalysisWithdrawnError } from '../llm-errors';
import { ProviderRateLimits } from './provider-rate-limits';
import { COMPLETE_SCRIPT, RESERVE_SCRIPT } from './rate-limit-scripts';

export type RateLimits = AppConfig['llm']['limits'];

/** One call's place in the budgets, to complete once the provider has answered. */
export interface Reservation {
  readonly id: string;
  /** The tokens reserved: the estimate, capped at the tokens-per-minute limit. */
  readonly tokens: number;
  /** How long the call waited for its place. */
  readonly waitedMs: number;
}

/** What became of a reserved call: the provider counted it (and how many tokens), refused it with a 429, or it failed otherwise. */
export type CallOutcome = { kind: 'answered'; countedTokens: number } | { kind: 'refused' } | { kind: 'failed' };

export type ReserveAttempt = { reservation: Reservation } | { waitMs: number };

/** In the order the scripts expect them (see rate-limit-scripts). */
const KEYS = [
  'minute-requests',
  'minute-requests:total',
  'minute-tokens',
  'minute-tokens:total',
  'day-requests',
  'day-requests:total',
  'paused-until',
  'reported-limits',
  'reported-requests-per-minute',
].map((name) => `${KEY_PREFIX}:llm-limits:${name}`);

const WAITED_FOR_ROOM = 'the analysis waited for room under the rate limits';
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** A waiter asks again at least this often, so it sees budget freed by a correction without sleeping out its first answer. */
const MAX_SLEEP_MS = 2_000;
/** Processes told the same wait wake up to this much apart, rather than all asking at once. */
const MAX_JITTER_MS = 50;

type RateLimitingRedis = Redis & {
  reserveLlmCall(...keysThenArgs: (string | number)[]): Promise<[number, number]>;
  completeLlmCall(...keysThenArgs: (string | number)[]): Promise<number>;
};

/**
 * The key's requests per minute, tokens per minute and requests per day, shared by every worker process through
 * Redis: a call reserves its place in sliding windows before it is sent, waiting until it fits, and holds it while
 * in flight; its completion corrects the reservation, makes it count from the answer on (the provider counts from
 * the call's arrival, which only the answer is sure to follow) and teaches the limiter what the provider reported.
 */
export class SharedRateLimiter {
  private readonly redis: RateLimitingRedis;
  /** Ends every wait once the worker stops: stopping must not wait for the limits. */
  private readonly stopping = new AbortController();

  constructor(
    redis: Redis,
    private readonly limits: RateLimits,
    /** The longest a call can take: a call in flight holds its place at least that long. */
    private readonly callTimeoutMs: number,
    private readonly counters: ServiceCounters,
    private readonly random: () => number = Math.random,
  ) {
    redis.defineCommand('reserveLlmCall', { numberOfKeys: KEYS.length, lua: RESERVE_SCRIPT });
    redis.defineCommand('completeLlmCall', { numberOfKeys: KEYS.length, lua: COMPLETE_SCRIPT });
    this.redis = redis as RateLimitingRedis;
  }

  /** Waits until a call of `tokens` fits every budget, then reserves it; gives up with AnalysisWithdrawnError once told to stop waiting. */
  async reserve(tokens: number): Promise<Reservation> {
    const startedAt = performance.now();
    let waited = false;
    for (;;) {
      // A stopping worker makes no new call, even one that would fit now.
      if (this.stopping.signal.aborted) throw new AnalysisWithdrawnError(WAITED_FOR_ROOM);
      const attempt = await this.tryReserve(tokens);
      if ('reservation' in attempt) return { ...attempt.reservation, waitedMs: waited ? Math.round(performance.now() - startedAt) : 0 };
      waited = true;
      await sleep(this.sleepMs(attempt.waitMs), undefined, { signal: this.stopping.signal }).catch(() => {
        throw new AnalysisWithdrawnError(WAITED_FOR_ROOM);
      });
    }
  }

  /** Ends the waits under way and any to come: the calls waiting fail with AnalysisWithdrawnError. */
  stopWaiting(): void {
    this.stopping.abort();
  }

  /** Reserves a call of `tokens` if it fits now; otherwise says how long until it may. */
  async tryReserve(tokens: number): Promise<ReserveAttempt> {
    const id = randomUUID();
    const { requestsPerMinute, tokensPerMinute, requestsPerDay } = this.limits;
    const inFlight = [MINUTE_MS + this.callTimeoutMs, DAY_MS + this.callTimeoutMs];
    const [reserved, value] = await this.redis.reserveLlmCall(...KEYS, id, Math.ceil(tokens), requestsPerMinute, tokensPerMinute, requestsPerDay, ...inFlight);
    return reserved === 1 ? { reservation: { id, tokens: value, waitedMs: 0 } } : { waitMs: value };
  }

  /**
   * Settles a reserved call with its outcome, learns from what the provider reported with it, and counts the call's
   * wait and any 429 (once the call is over, so the wait is counted with the call's time).
   */
  async complete(reservation: Reservation, outcome: CallOutcome, reported: ProviderRateLimits = {}): Promise<void> {
    const counted = outcome.kind === 'answered' ? Math.ceil(outcome.countedTokens) : '';
    const { tokensPerMinute: tokens, requestsPerDay: requests } = reported;
    await this.redis.completeLlmCall(
      ...KEYS,
      reservation.id,
      reservation.tokens,
      outcome.kind,
      counted,
      MINUTE_MS,
      DAY_MS,
      ...[
        tokens?.limit,
        tokens?.remaining,
        tokens?.resetMs,
        requests?.limit,
        requests?.remaining,
        requests?.resetMs,
        reported.retryAfterMs,
        reported.requestsPerMinuteLimit,
      ].map((value) => value ?? ''),
    );
    const refused = outcome.kind === 'refused' ? 1 : 0;
    if (refused || reservation.waitedMs) await this.counters.increment({ llm_rate_limited_calls: refused, llm_rate_limit_wait_ms: reservation.waitedMs });
  }

  private sleepMs(waitMs: number): number {
    return Math.min(waitMs, MAX_SLEEP_MS) + this.random() * Math.min(MAX_JITTER_MS, waitMs / 10);
  }
}
