import Redis, { ChainableCommander } from 'ioredis';

/**
 * Creates hashes and sets strings, each with its expiry, for any number of keys in one script call:
 * KEYS are the hashes first, then the strings; ARGV[1] counts the hashes, then each hash brings its ttl,
 * its field count and its fields and values, and each string its ttl and value.
 */
const WRITE_EXPIRING = `
local hashes = tonumber(ARGV[1])
local at = 2
for i = 1, #KEYS do
  if i <= hashes then
    local count = tonumber(ARGV[at + 1])
    redis.call('HSET', KEYS[i], unpack(ARGV, at + 2, at + 1 + count))
    redis.call('EXPIRE', KEYS[i], ARGV[at])
    at = at + 2 + count
  else
    redis.call('SET', KEYS[i], ARGV[at + 1], 'EX', ARGV[at])
    at = at + 2
  end
end
return #KEYS`;

export interface ExpiringHash {
  key: string;
  /** Field names and values, alternating. */
  fields: string[];
  ttlSeconds: number;
}

export interface ExpiringString {
  key: string;
  value: string;
  ttlSeconds: number;
}

type WritingPipeline = ChainableCommander & { writeExpiring(keyCount: number, ...keysThenArgs: (string | number)[]): ChainableCommander };

/** Makes the script callable on `redis` and its pipelines; sent once, then called by its SHA. */
export function defineExpiringWrites(redis: Redis): void {
  if (!('writeExpiring' in redis)) redis.defineCommand('writeExpiring', { lua: WRITE_EXPIRING });
}

/**
 * Adds the writes to `pipeline` as one command: under load the records and papers of many requests cost
 * one command to encode, send and parse instead of three each.
 */
export function addExpiringWrites(pipeline: ChainableCommander, hashes: readonly ExpiringHash[], strings: readonly ExpiringString[]): void {
  if (hashes.length + strings.length === 0) return;
  const keys = [...hashes.map((hash) => hash.key), ...strings.map((string) => string.key)];
  const args: (string | number)[] = [hashes.length];
  for (const hash of hashes) args.push(hash.ttlSeconds, hash.fields.length, ...hash.fields);
  for (const string of strings) args.push(string.ttlSeconds, string.value);
  (pipeline as WritingPipeline).writeExpiring(keys.length, ...keys, ...args);
}
