import { ExecutionContext, SetMetadata } from '@nestjs/common';

/** Submitting and polling have separate limits (THROTTLE_LIMIT, THROTTLE_STATUS_LIMIT). */
export type ThrottleKind = 'submit' | 'poll';

const THROTTLE_KIND = 'rpa:throttle-kind';

export const ThrottleAs = (kind: ThrottleKind) => SetMetadata(THROTTLE_KIND, kind);

export function throttleKindOf(context: ExecutionContext): ThrottleKind | undefined {
  return Reflect.getMetadata(THROTTLE_KIND, context.getHandler()) ?? Reflect.getMetadata(THROTTLE_KIND, context.getClass());
}
