import Redis from 'ioredis';
import { redactUrlCredentials } from '../common/redact';

const CONNECT_TIMEOUT_MS = 3_000;

/** One attempt to reach Redis before anything starts, so an unreachable URL gives one clear line. */
export async function assertRedisReachable(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let connectionError: NodeJS.ErrnoException | undefined;
  probe.on('error', (error) => (connectionError = error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const cause = connectionError ?? (error as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new Error(`Cannot reach Redis at ${redactUrlCredentials(url)} (${reason}): start Redis or set REDIS_URL`);
  } finally {
    probe.disconnect();
  }
}
