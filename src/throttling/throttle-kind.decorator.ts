import { ExecutionContext, SetMetadata } from '@nestjs/common';

/** Submitting and polling have separate limits (THROTTLE_LIMIT, THROTTLE_STATUS_LIMIT). */
export type ThrottleKind = 'submit' | 'poll';

const THROTTLE_KIND = 'rpa:throttle-kind';

export const ThrottleAs = (kind: ThrottleKind) => SetMetadata(THROTTLE_KIND, kind);

/** Each handler's kind, read from its metadata once: the throttler asks three times a request. */
const kindByHandler = new WeakMap<Function, ThrottleKind | undefined>();

export function throttleKindOf(context: ExecutionContext): ThrottleKind | undefined {
  const handler = context.getHandler();
  if (!kindByHandler.has(handler)) {
    kindByHandler.set(handler, Reflect.getMetadata(THROTTLE_KIND, handler) ?? Reflect.getMetadata(THROTTLE_KIND, context.getClass()));
  }
  return kindByHandler.get(handler);
}
