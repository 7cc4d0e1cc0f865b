/** The Redis on 127.0.0.1:6379 the benches use; each bench keeps to its own database. */
import { existsSync, readFileSync } from 'node:fs';
import Redis from 'ioredis';

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;

export const redisUrl = (database: number) => `redis://${REDIS_HOST}:${REDIS_PORT}/${database}`;

export async function assertRedisAnswers(): Promise<void> {
  const probe = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    throw new Error(`no Redis answers on ${REDIS_HOST}:${REDIS_PORT}: start one (e.g. \`redis-server --daemonize yes\` or \`docker compose up -d redis\`) and run again`);
  } finally {
    probe.disconnect();
  }
}

/** Empties one of the benches' own databases (14 or 15) of the Redis on 6379. */
export async function flushDatabase(database: 14 | 15): Promise<void> {
  const redis = new Redis(redisUrl(database));
  await redis.flushdb();
  await redis.quit();
}

export async function redisServerPid(): Promise<number | undefined> {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  try {
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    // A Redis in a container reports its pid inside it, which on this machine is some other process.
    const isRedis = pid > 0 && existsSync(`/proc/${pid}/comm`) && readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis-server');
    return isRedis ? pid : undefined;
  } finally {
    await redis.quit();
  }
}

/**
 * How many of `ids` have each status in the service's read model (rpa:request:<id>), `missing` for those
 * without a record. Read 10,000 at a time, so millions of ids need no more memory than the counts;
 * `each` sees every id with its status as it is read.
 */
export async function requestStatuses(
  database: 14 | 15,
  ids: Iterable<string>,
  each: (id: string, status: string) => void = () => undefined,
): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl(database));
  const counts: Record<string, number> = {};
  try {
    let batch: string[] = [];
    const flush = async () => {
      const pipeline = redis.pipeline();
      batch.forEach((id) => pipeline.hget(`rpa:request:${id}`, 'status'));
      for (const [index, [error, status]] of ((await pipeline.exec()) ?? []).entries()) {
        if (error) throw error;
        const key = String(status ?? 'missing');
        counts[key] = (counts[key] ?? 0) + 1;
        each(batch[index], key);
      }
      batch = [];
    };
    for (const id of ids) {
      batch.push(id);
      if (batch.length === 10_000) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await redis.quit();
  }
  return counts;
}
