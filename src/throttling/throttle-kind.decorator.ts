import { ExecutionContext, SetMetadata, Type } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** Submitting and polling have separate limits (THROTTLE_LIMIT, THROTTLE_STATUS_LIMIT). */
export type ThrottleKind = 'submit' | 'poll';

const THROTTLE_KIND = 'rpa:throttle-kind';
const THROTTLED_ROUTE = 'rpaThrottledRoute';

/** The controller method a throttled route runs, and its class: what a guard's execution context names. */
export interface ThrottledRoute {
  classRef: Type<unknown>;
  handler: Function;
}

/**
 * Counts a route's requests against the limit of `kind`. The route's Fastify config also names its handler,
 * so that a request can be counted as soon as its headers arrive, before Fastify reads its body.
 */
export const ThrottleAs =
  (kind: ThrottleKind): MethodDecorator =>
  (target, key, descriptor) => {
    const route: ThrottledRoute = { classRef: target.constructor as Type<unknown>, handler: descriptor.value as Function };
    SetMetadata(THROTTLE_KIND, kind)(target, key, descriptor);
    // RouteConfig replaces a route's whole config: a throttled route takes no @RouteConfig of its own.
    RouteConfig({ [THROTTLED_ROUTE]: route })(target, key, descriptor);
  };

/** Each handler's kind, read from its metadata once: the throttler asks four times a request. */
const kindByHandler = new WeakMap<Function, ThrottleKind | undefined>();

export function throttleKindOf(context: ExecutionContext): ThrottleKind | undefined {
  const handler = context.getHandler();
  if (!kindByHandler.has(handler)) kindByHandler.set(handler, Reflect.getMetadata(THROTTLE_KIND, handler));
  return kindByHandler.get(handler);
}

/** The throttled route a request was routed to, if it was. */
export function throttledRouteOf(request: FastifyRequest): ThrottledRoute | undefined {
  const config = request.routeOptions?.config as Partial<Record<typeof THROTTLED_ROUTE, ThrottledRoute>> | undefined;
  return config?.[THROTTLED_ROUTE];
}
