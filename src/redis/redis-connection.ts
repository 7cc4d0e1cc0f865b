import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

/** Reconnects quickly at first, then every two seconds; never gives up while the process lives. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * Options for connections that answer HTTP requests: a command waits for at most one reconnection,
 * so a Redis outage turns into a prompt 503 rather than a request that hangs. Commands issued in the
 * same tick by concurrent requests go to Redis as one pipeline.
 */
export const requestConnectionOptions: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableAutoPipelining: true,
  retryStrategy: reconnectDelay,
  enableReadyCheck: true,
};

/**
 * A command unanswered this long fails as if Redis were unreachable. A Redis that stops answering without
 * closing the connection (a partition dropping packets, a frozen host, CLIENT PAUSE) would otherwise hold
 * every request, and the commands queued behind it, until TCP gives up minutes later. Far above any answer
 * time under load. Bull's command connection has it too (src/batching/bull-connection-safeguards.ts).
 */
export const COMMAND_TIMEOUT_MS = 5_000;

/** The app's own connection (read model, caches, throttle counters, claims). */
export function connectRedis(url: string, connectionName: string): Redis {
  const connection = new Redis(url, { ...requestConnectionOptions, commandTimeout: COMMAND_TIMEOUT_MS, connectionName });
  reportConnectionErrors(connection, connectionName);
  return connection;
}

/**
 * Logs what goes wrong with the connection once per kind of failure until it is ready again: ioredis reports
 * every failed reconnection, every two seconds of an outage, and without a listener writes them to stderr.
 */
function reportConnectionErrors(connection: Redis, connectionName: string): void {
  const logger = new Logger(connectionName);
  let reported: string | undefined;
  connection.on('error', (error: Error) => {
    if (error.message !== reported) logger.warn(`Redis connection: ${error.message}`);
    reported = error.message;
  });
  connection.on('ready', () => {
    if (reported) logger.log('Redis connection ready again');
    reported = undefined;
  });
}

/**
 * What Redis answers while it cannot take commands for a while: out of memory, a replica after a failover,
 * loading its data, a failed save, a script running too long, a cluster or primary down. Redis before 7
 * reports those met inside a script after its own words (`ERR Error running script ... -OOM ...`).
 */
const PASSING_REFUSAL = /(?:^|-)(?:OOM|READONLY|MISCONF|BUSY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * Errors that mean Redis cannot serve commands now, whether unreachable or refusing them for a while,
 * as opposed to a command Redis refused for what it was.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    (error.name === 'ReplyError' && PASSING_REFUSAL.test(error.message)) ||
    /Connection is closed|Command timed out|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Redis is unavailable/.test(error.message)
  );
}
