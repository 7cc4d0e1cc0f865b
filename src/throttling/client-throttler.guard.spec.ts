import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { ThrottlerException, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { ClientThrottlerGuard } from './client-throttler.guard';
import { ThrottleAs } from './throttle-kind.decorator';

class Routes {
  @ThrottleAs('submit')
  submit(): void {}

  unthrottled(): void {}
}

const LIMIT = 2;

/** A request as Fastify routes it to `handler`, from one client address. */
const requestTo = (handler: Function) =>
  ({
    headers: {},
    ip: '203.0.113.5',
    routeOptions: { config: { url: '/x', method: 'POST', ...Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) } },
  }) as unknown as FastifyRequest;

describe('ClientThrottlerGuard counting on arrival', () => {
  let hits: number;
  let storage: jest.Mocked<ThrottlerStorage>;
  let guard: ClientThrottlerGuard;
  const reply = { header: jest.fn() } as unknown as FastifyReply;
  /** How Nest runs the guard for the route once the body is parsed. */
  const nestRun = (request: FastifyRequest) => guard.canActivate(new ExecutionContextHost([request, reply], Routes, Routes.prototype.submit));

  beforeEach(async () => {
    hits = 0;
    storage = {
      increment: jest.fn<ReturnType<ThrottlerStorage['increment']>, Parameters<ThrottlerStorage['increment']>>(async () => {
        hits += 1;
        return { totalHits: hits, timeToExpire: 60, isBlocked: hits > LIMIT, timeToBlockExpire: hits > LIMIT ? 60 : 0 };
      }),
    };
    const config = { throttle: { apiKeys: [] } } as unknown as AppConfig;
    guard = new ClientThrottlerGuard({ throttlers: [{ ttl: 60_000, limit: LIMIT }] }, storage, new Reflector(), config);
    await guard.onModuleInit();
  });

  it('counts a request once: Nest\'s run of the guard lets a request counted on arrival through', async () => {
    const request = requestTo(Routes.prototype.submit);
    await expect(guard.countOnArrival(request, reply)).resolves.toBe(true);
    await expect(nestRun(request)).resolves.toBe(true);
    expect(storage.increment).toHaveBeenCalledTimes(1);
  });

  it('still counts in Nest\'s run a request that was not counted on arrival', async () => {
    await expect(nestRun(requestTo(Routes.prototype.submit))).resolves.toBe(true);
    expect(storage.increment).toHaveBeenCalledTimes(1);
  });

  it('refuses a client over its limit on arrival, naming the limit and when to come back', async () => {
    for (let n = 0; n < LIMIT; n += 1) await guard.countOnArrival(requestTo(Routes.prototype.submit), reply);
    const refusal = { header: jest.fn() } as unknown as FastifyReply;
    await expect(guard.countOnArrival(requestTo(Routes.prototype.submit), refusal)).rejects.toBeInstanceOf(ThrottlerException);
    expect(Object.fromEntries(jest.mocked(refusal.header).mock.calls)).toEqual({
      'Retry-After': 60,
      'X-RateLimit-Limit': LIMIT,
      'X-RateLimit-Remaining': 0,
      'X-RateLimit-Reset': 60,
    });
  });

  it('leaves a route without a throttle kind alone, at once', () => {
    expect(guard.countOnArrival(requestTo(Routes.prototype.unthrottled), reply)).toBeUndefined();
    expect(storage.increment).not.toHaveBeenCalled();
  });
});
