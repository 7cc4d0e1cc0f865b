import Redis from 'ioredis';
import { ServiceCounters } from '../../analysis/read-model/service-counters';
import { AnalysisWithdrawnError } from '../llm-errors';
import { RateLimits, Reservation, ReserveAttempt, SharedRateLimiter } from './shared-rate-limiter';

/** The limiter's Lua scripts run against the real Redis on 6379, in a database of their own. */
const REDIS_URL = 'redis://127.0.0.1:6379/10';
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const GENEROUS: RateLimits = { requestsPerMinute: 1_000, tokensPerMinute: 1_000_000, requestsPerDay: 100_000 };
const CALL_TIMEOUT_MS = 5_000;

function granted(attempt: ReserveAttempt): Reservation {
  if (!('reservation' in attempt)) throw new Error(`expected a reservation, was told to wait ${attempt.waitMs} ms`);
  return attempt.reservation;
}

function waitOf(attempt: ReserveAttempt): number {
  if (!('waitMs' in attempt)) throw new Error('expected to be told to wait, got a reservation');
  return attempt.waitMs;
}

describe('SharedRateLimiter', () => {
  const connections: Redis[] = [];
  const limiter = (limits: Partial<RateLimits> = {}) => {
    const redis = new Redis(REDIS_URL);
    connections.push(redis);
    return new SharedRateLimiter(redis, { ...GENEROUS, ...limits }, CALL_TIMEOUT_MS, new ServiceCounters(redis), () => 0);
  };
  const counters = () => new ServiceCounters(connections[0]).read();

  beforeEach(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    await redis.quit();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((redis) => redis.quit()));
  });

  it('counts a reservation once when its script runs twice, as when ioredis sends it again after a lost reply', async () => {
    const limits = limiter({ requestsPerMinute: 2 });
    const redis = connections[connections.length - 1] as Redis & { reserveLlmCall(...args: (string | number)[]): Promise<[number, number]> };
    const reserve = redis.reserveLlmCall.bind(redis);
    jest.spyOn(redis, 'reserveLlmCall').mockImplementationOnce(async (...args) => {
      await reserve(...args);
      return reserve(...args);
    });
    granted(await limits.tryReserve(10));
    granted(await limits.tryReserve(10));
  });

  it('admits calls while the requests per minute fit; a call holds its place while in flight and for a minute from its answer', async () => {
    const limits = limiter({ requestsPerMinute: 2 });
    const first = granted(await limits.tryReserve(10));
    granted(await limits.tryReserve(10));

    const whileInFlight = waitOf(await limits.tryReserve(10));
    expect(whileInFlight).toBeGreaterThan(MINUTE_MS + CALL_TIMEOUT_MS - 1_000);
    expect(whileInFlight).toBeLessThanOrEqual(MINUTE_MS + CALL_TIMEOUT_MS);

    await limits.complete(first, { kind: 'answered', countedTokens: 10 });
    const afterTheAnswer = waitOf(await limits.tryReserve(10));
    expect(afterTheAnswer).toBeGreaterThan(MINUTE_MS - 1_000);
    expect(afterTheAnswer).toBeLessThanOrEqual(MINUTE_MS);
  });

  it('holds the limits across processes', async () => {
    const [first, second] = [limiter({ requestsPerMinute: 3 }), limiter({ requestsPerMinute: 3 })];
    const attempts = await Promise.all([first, second, first, second, first].map((process) => process.tryReserve(10)));

    expect(attempts.filter((attempt) => 'reservation' in attempt)).toHaveLength(3);
  });

  it('reserves tokens per minute and frees what the provider did not count once the call is answered', async () => {
    const limits = limiter({ tokensPerMinute: 1_000 });
    const first = granted(await limits.tryReserve(600));
    expect(waitOf(await limits.tryReserve(500))).toBeGreaterThan(MINUTE_MS - 1_000);

    await limits.complete(first, { kind: 'answered', countedTokens: 300 });

    expect(granted(await limits.tryReserve(500)).tokens).toBe(500);
    expect(waitOf(await limits.tryReserve(201))).toBeGreaterThan(0);
  });

  it('keeps the reservation of a call that failed without an answer', async () => {
    const limits = limiter({ tokensPerMinute: 1_000 });
    await limits.complete(granted(await limits.tryReserve(600)), { kind: 'failed' });

    expect(waitOf(await limits.tryReserve(500))).toBeGreaterThan(0);
  });

  it('caps a call larger than the tokens per minute at the limit, so it goes once the minute is empty', async () => {
    const limits = limiter({ tokensPerMinute: 1_000 });

    expect(granted(await limits.tryReserve(5_000)).tokens).toBe(1_000);
    expect(waitOf(await limits.tryReserve(1))).toBeGreaterThan(0);
  });

  it('counts requests per day', async () => {
    const limits = limiter({ requestsPerDay: 1 });
    granted(await limits.tryReserve(10));

    expect(waitOf(await limits.tryReserve(10))).toBeGreaterThan(DAY_MS - 1_000);
  });

  it('lets a refused call go, pauses every process for its retry-after, and counts the 429', async () => {
    const [first, second] = [limiter({ requestsPerMinute: 1 }), limiter({ requestsPerMinute: 1 })];
    const refused = granted(await first.tryReserve(10));

    await first.complete(refused, { kind: 'refused' }, { retryAfterMs: 2_000 });

    const wait = waitOf(await second.tryReserve(10));
    expect(wait).toBeGreaterThan(1_900);
    expect(wait).toBeLessThanOrEqual(2_000);
    expect((await counters()).llm_rate_limited_calls).toBe(1);
  });

  it('waits out a pause before reserving, and counts the wait once the call is over', async () => {
    const limits = limiter();
    const refused = granted(await limits.tryReserve(10));
    const beforePause = performance.now();
    await limits.complete(refused, { kind: 'refused' }, { retryAfterMs: 300 });

    const startedAt = performance.now();
    const reservation = await limits.reserve(10);
    // The pause began while complete() ran: what had passed of it by now is not waited, however long that was.
    const pauseLeft = 300 - (startedAt - beforePause);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(pauseLeft);
    // Rounded to the millisecond, and started a moment after this test's clock.
    expect(reservation.waitedMs).toBeGreaterThanOrEqual(pauseLeft - 2);

    await limits.complete(reservation, { kind: 'answered', countedTokens: 10 });
    expect((await counters()).llm_rate_limit_wait_ms).toBe(reservation.waitedMs);
  });

  it('stops waiting when told to, with an error that says no call was made', async () => {
    const limits = limiter();
    await limits.complete(granted(await limits.tryReserve(10)), { kind: 'refused' }, { retryAfterMs: 10_000 });

    const waiting = limits.reserve(10);
    limits.stopWaiting();
    await expect(waiting).rejects.toThrow(AnalysisWithdrawnError);
  });

  it('once told to stop waiting, reserves no call, even one that would fit now', async () => {
    const limits = limiter();
    limits.stopWaiting();
    await expect(limits.reserve(10)).rejects.toThrow(AnalysisWithdrawnError);
    expect(granted(await limits.tryReserve(10)).tokens).toBe(10);
  });

  it('never lets a later pause shorten an earlier, longer one', async () => {
    const limits = limiter();
    const elsewhere: Reservation = { id: 'a call of another process', tokens: 10, waitedMs: 0 };
    await limits.complete(elsewhere, { kind: 'refused' }, { retryAfterMs: 5_000 });
    await limits.complete(elsewhere, { kind: 'refused' }, { retryAfterMs: 1_000 });

    expect(waitOf(await limits.tryReserve(10))).toBeGreaterThan(4_000);
  });

  it('takes a lower limit the provider reports as its own', async () => {
    const limits = limiter({ tokensPerMinute: 8_000 });
    const first = granted(await limits.tryReserve(1_000));
    await limits.complete(first, { kind: 'answered', countedTokens: 1_000 }, { tokensPerMinute: { limit: 6_000, remaining: 5_000, resetMs: 10_000 } });

    expect(granted(await limits.tryReserve(5_000)).tokens).toBe(5_000);
    expect(waitOf(await limits.tryReserve(100))).toBeGreaterThan(0);
  });

  it('takes the requests-per-minute limit a 429 named as its own', async () => {
    const limits = limiter({ requestsPerMinute: 10 });
    await limits.complete(granted(await limits.tryReserve(10)), { kind: 'answered', countedTokens: 10 });
    await limits.complete(granted(await limits.tryReserve(10)), { kind: 'refused' }, { requestsPerMinuteLimit: 2 });

    granted(await limits.tryReserve(10));
    expect(waitOf(await limits.tryReserve(10))).toBeGreaterThan(MINUTE_MS - 1_000);
  });

  it('counts usage the provider reports beyond its own until the provider says it resets', async () => {
    const limits = limiter({ tokensPerMinute: 10_000 });
    const first = granted(await limits.tryReserve(1_000));
    await limits.complete(first, { kind: 'answered', countedTokens: 1_000 }, { tokensPerMinute: { limit: 10_000, remaining: 2_000, resetMs: 5_000 } });

    granted(await limits.tryReserve(2_000));
    const wait = waitOf(await limits.tryReserve(100));
    expect(wait).toBeGreaterThan(4_000);
    expect(wait).toBeLessThanOrEqual(5_000);
  });

  it('learns requests the provider counted today that it does not know of', async () => {
    const limits = limiter({ requestsPerDay: 1_000 });
    const first = granted(await limits.tryReserve(10));
    await limits.complete(first, { kind: 'answered', countedTokens: 10 }, { requestsPerDay: { limit: 1_000, remaining: 0, resetMs: HOUR_MS } });

    const wait = waitOf(await limits.tryReserve(10));
    expect(wait).toBeGreaterThan(HOUR_MS - 1_000);
    expect(wait).toBeLessThanOrEqual(HOUR_MS);
  });

  it('learns nothing from a report that matches what it holds', async () => {
    const limits = limiter({ tokensPerMinute: 10_000 });
    const first = granted(await limits.tryReserve(1_000));
    await limits.complete(first, { kind: 'answered', countedTokens: 1_000 }, { tokensPerMinute: { limit: 10_000, remaining: 9_000, resetMs: 1_000 } });

    expect(granted(await limits.tryReserve(9_000)).tokens).toBe(9_000);
  });
});
