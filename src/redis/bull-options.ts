import type { BullRootModuleOptions } from '@nestjs/bull';
import { LLM_AWARE_BACKOFF, retryDelayMs } from '../batching/retry-delay';
import { requestConnectionOptions } from './redis-connection';
import { BULL_PREFIX } from './redis-keys';

/**
 * Bull opens its own connections from these options (and so closes them on shutdown). Its command
 * connection fails fast like the app's own, so an enqueue during an outage becomes a 503; Bull itself
 * makes its blocking and subscriber connections wait an outage out, and needs the ready check off.
 */
export function bullQueueOptions(url: string): BullRootModuleOptions {
  return {
    url,
    prefix: BULL_PREFIX,
    settings: { backoffStrategies: { [LLM_AWARE_BACKOFF]: retryDelayMs } },
    redis: {
      ...requestConnectionOptions,
      enableReadyCheck: false,
      // Its blocking connection must not have other commands pipelined behind a BRPOPLPUSH.
      enableAutoPipelining: false,
      connectionName: 'rpa-bull',
      ...(url.startsWith('rediss://') && { tls: {} }),
    },
  };
}
