import { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

type Target = Type<unknown> | Function;

/**
 * Route metadata never changes once the app has started, yet the throttler guard looks up six keys on
 * the handler and its class for every request; this reflector answers each (key, handler, class) once.
 */
export class MemoizedReflector extends Reflector {
  private readonly answers = new Map<unknown, WeakMap<Target, WeakMap<Target, unknown>>>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getAllAndOverride<TResult = unknown, TKey = unknown>(metadataKey: TKey, targets: Target[]): TResult {
    const [handler, classRef] = targets;
    if (targets.length !== 2 || !handler || !classRef) return this.reflector.getAllAndOverride<TResult, TKey>(metadataKey, targets);
    let byHandler = this.answers.get(metadataKey);
    if (!byHandler) this.answers.set(metadataKey, (byHandler = new WeakMap()));
    let byClass = byHandler.get(handler);
    if (!byClass) byHandler.set(handler, (byClass = new WeakMap()));
    if (!byClass.has(classRef)) byClass.set(classRef, this.reflector.getAllAndOverride<TResult, TKey>(metadataKey, targets));
    return byClass.get(classRef) as TResult;
  }
}
