import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MemoizedReflector } from './memoized-reflector';
import { throttledRouteOf, throttleKindOf } from './throttle-kind.decorator';

export const API_KEY_HEADER = 'x-api-key';

/** An address some proxies write into X-Forwarded-For with the client's port: `203.0.113.7:5123`, `[2001:db8::1]:5123`. */
const WITH_PORT = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]+)\]):\d{1,5}$/;

/** The address alone: each connection from a client comes from another port, and must not count apart. */
function withoutPort(ip: string): string {
  const match = WITH_PORT.exec(ip);
  return match ? (match[1] ?? match[2]) : ip;
}

/**
 * Counts requests per client across every API process (the counters live in Redis): per API key when
 * the request carries one of API_KEYS, else per address (X-Forwarded-For only when TRUST_PROXY says
 * so, which Fastify's request.ip already honours). IPv6 addresses count per /64, the block one subscriber
 * is usually given, so moving through it does not escape the limit; nor does inventing keys, since an
 * unknown key counts as no key. Routes without a throttle kind are not counted.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  private readonly knownKeys: ReadonlySet<string>;
  private readonly counted = new WeakSet<object>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super(options, storage, new MemoizedReflector(reflector));
    this.knownKeys = new Set(config.throttle.apiKeys);
  }

  /**
   * Counts a request on a throttled route as soon as its headers are read, before Fastify reads its body:
   * a client over its limit is refused without its body being parsed, and a body Fastify then refuses
   * (malformed, too large, of another type) has counted like any other. The promise rejects with the 429
   * when the client is over the limit; undefined, at once, on a route without a throttle kind. Nest runs this
   * guard again on the route, where a request counted here is let through.
   */
  countOnArrival(request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined {
    const route = throttledRouteOf(request);
    return route && this.canActivate(new ExecutionContextHost([request, reply], route.classRef, route.handler));
  }

  protected override async handleRequest(throttled: ThrottlerRequest): Promise<boolean> {
    this.counted.add(this.getRequestResponse(throttled.context).req);
    return super.handleRequest(throttled);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return throttleKindOf(context) === undefined || this.counted.has(this.getRequestResponse(context).req) || super.shouldSkip(context);
  }

  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const { headers, ip } = request as FastifyRequest;
    const key = headers[API_KEY_HEADER];
    if (typeof key === 'string' && this.knownKeys.has(key)) {
      // Only a digest reaches Redis: the key itself is a secret.
      return `key:${hash('sha256', key, 'base64url').slice(0, 22)}`;
    }
    return `ip:${normalizeIp(withoutPort(ip), this.ipv6SubnetPrefix)}`;
  }

  /** The library names the limit only on the answers it lets through; a refused client needs it most. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, `${this.headerPrefix}-Limit`, detail.limit);
    this.setResponseHeader(res, `${this.headerPrefix}-Remaining`, 0);
    this.setResponseHeader(res, `${this.headerPrefix}-Reset`, detail.timeToExpire);
    return super.throwThrottlingException(context, detail);
  }
}
