import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';
import { ThrottleAs, throttledRouteOf, throttleKindOf } from './throttle-kind.decorator';

class Routes {
  @ThrottleAs('poll')
  poll(): void {}

  unthrottled(): void {}
}

/** A request as Fastify routes it: its route's config is what Nest's adapter read from the handler's metadata. */
const routedTo = (handler: Function) =>
  ({ routeOptions: { config: { url: '/x', method: 'GET', ...Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) } } }) as unknown as FastifyRequest;

describe('ThrottleAs', () => {
  it('gives the handler its kind, and names the handler and its class in the route config', () => {
    expect(throttleKindOf(new ExecutionContextHost([], Routes, Routes.prototype.poll))).toBe('poll');
    expect(throttledRouteOf(routedTo(Routes.prototype.poll))).toEqual({ classRef: Routes, handler: Routes.prototype.poll });
  });

  it('leaves a route without it unthrottled', () => {
    expect(throttleKindOf(new ExecutionContextHost([], Routes, Routes.prototype.unthrottled))).toBeUndefined();
    expect(throttledRouteOf(routedTo(Routes.prototype.unthrottled))).toBeUndefined();
    expect(throttledRouteOf({} as FastifyRequest)).toBeUndefined();
  });
});
