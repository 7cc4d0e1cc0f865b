import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MemoizedReflector } from './memoized-reflector';
import { throttleKindOf } from './throttle-kind.decorator';

export const API_KEY_HEADER = 'x-api-key';

/**
 * Counts requests per client across every API process (the counters live in Redis): per API key when
 * the request carries one of API_KEYS, else per address (X-Forwarded-For only when TRUST_PROXY says
 * so, which Fastify's request.ip already honours). An unknown key counts as no key, so inventing keys
 * does not escape the limit. Routes without a throttle kind are not counted.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  private readonly knownKeys: ReadonlySet<string>;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super(options, storage, new MemoizedReflector(reflector));
    this.knownKeys = new Set(config.throttle.apiKeys);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return throttleKindOf(context) === undefined || super.shouldSkip(context);
  }

  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const { headers, ip } = request as FastifyRequest;
    const key = headers[API_KEY_HEADER];
    if (typeof key === 'string' && this.knownKeys.has(key)) {
      // Only a digest reaches Redis: the key itself is a secret.
      return `key:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
    }
    return `ip:${ip}`;
  }
}
