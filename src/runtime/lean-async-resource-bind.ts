import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource#bind` gives every bound function a deprecated `asyncResource` accessor (DEP0172)
 * built with util.deprecate, which re-parents two fresh functions per call. Fastify's body parsing and Nest's
 * interceptors bind once or twice per request, and under load those accessors cost about 5% of an API
 * process's CPU on POST /analyze and 12% on GET /status/:id, half of it in garbage collection. Newer Node
 * releases stop attaching the accessor; this gives Node 20 the same bind: the function still runs in the
 * resource's async scope, with the same `this` and `length`.
 *
 * Returns whether it replaced the method (false where bind attaches no such accessor).
 */
export function useLeanAsyncResourceBind(): boolean {
  if (!attachesDeprecatedAccessor()) return false;
  AsyncResource.prototype.bind = function bind<Func extends (...args: any[]) => unknown>(this: AsyncResource, fn: Func, thisArg?: unknown): Func {
    if (typeof fn !== 'function') {
      throw Object.assign(new TypeError(`The "fn" argument must be of type function. Received type ${typeof fn}`), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    const resource = this;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : resource.runInAsyncScope.bind(resource, fn, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound as Func;
  };
  return true;
}

function attachesDeprecatedAccessor(): boolean {
  const bound = new AsyncResource('probe').bind(() => undefined);
  return typeof Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get === 'function';
}
