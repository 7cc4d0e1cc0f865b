import type { BullRootModuleOptions } from '@nestjs/bull';
import type { JobLockTiming } from '../batching/job-lock-keeper';
import { LLM_AWARE_BACKOFF, retryDelayMs } from '../batching/retry-delay';
import { requestConnectionOptions } from './redis-connection';
import { BULL_PREFIX } from './redis-keys';

/** Bull's own defaults, named because the worker renews locks with them too (src/batching/job-lock-keeper.ts). */
export const JOB_LOCK: JobLockTiming = { durationMs: 30_000, renewEveryMs: 15_000 };

/**
 * Bull opens its own connections from these options (and so closes them on shutdown). Its command
 * connection fails fast like the app's own, so an enqueue during an outage becomes a 503; Bull itself
 * makes its blocking and subscriber connections wait an outage out, and needs the ready check off.
 */
export function bullQueueOptions(url: string): BullRootModuleOptions {
  return {
    url,
    prefix: BULL_PREFIX,
    settings: { lockDuration: JOB_LOCK.durationMs, lockRenewTime: JOB_LOCK.renewEveryMs, backoffStrategies: { [LLM_AWARE_BACKOFF]: retryDelayMs } },
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
