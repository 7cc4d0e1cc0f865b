import Redis from 'ioredis';

/** The JSON values stored at `redisKeyOf(id)` for each of `ids`, parsed, by id, in one MGET; ids with no value are left out. */
export async function readJsonValues<T>(redis: Redis, ids: readonly string[], redisKeyOf: (id: string) => string): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  if (ids.length === 0) return found;
  const values = await redis.mget(ids.map((id) => redisKeyOf(id)));
  values.forEach((value, index) => value && found.set(ids[index], JSON.parse(value) as T));
  return found;
}
