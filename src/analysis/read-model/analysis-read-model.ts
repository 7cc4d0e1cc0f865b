import { Inject, Injectable } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AnalysisResult } from '../../llm/analysis';
import { repliesOf } from '../../redis/pipeline-replies';
import { REDIS } from '../../redis/redis.module';
import { ExpiringHash } from '../../redis/expiring-writes';
import { redisKeys } from '../../redis/redis-keys';
import { AnalysisRecord, AnalysisStatus } from '../analysis-status';
import { Counter } from './service-counters';

/**
 * Moves records on only while they are unfinished, so a late or repeated event (a stalled job run twice)
 * never takes a finished request back to processing, nor counts it twice. Each move restarts the record's
 * life, so a result is kept RESULT_TTL after it is ready however long it waited. KEYS[1] is the counters'
 * hash, then the records; ARGV[1] is RESULT_TTL, then for each record the counter its move adds one to
 * ('' for none), how many field names and values follow, and those. Each move is counted with it, should a
 * later one fail.
 */
const ADVANCE_UNFINISHED = `
local ttl = ARGV[1]
local at = 2
for i = 2, #KEYS do
  local counter, count = ARGV[at], tonumber(ARGV[at + 1])
  local status = redis.call('HGET', KEYS[i], 'status')
  if status and status ~= 'done' and status ~= 'error' then
    redis.call('HSET', KEYS[i], unpack(ARGV, at + 2, at + 1 + count))
    redis.call('EXPIRE', KEYS[i], ttl)
    if counter ~= '' then redis.call('HINCRBY', KEYS[1], counter, 1) end
  end
  at = at + 2 + count
end`;

type RecordFields = Record<string, string>;

/** A worker's report on one request: the fields it sets, and the service counter it adds one to, if any. */
export interface RecordAdvance {
  requestId: string;
  fields: RecordFields;
  counter?: Counter;
}

/** How the read model records what workers report. */
export const recordAdvances = {
  processing: (requestId: string, attempt: number, at: string): RecordAdvance => ({
    requestId,
    fields: { status: 'processing', started_at: at, attempts: String(attempt) },
  }),
  done: (requestId: string, result: AnalysisResult, at: string): RecordAdvance => ({
    requestId,
    fields: { status: 'done', finished_at: at, result: JSON.stringify(result) },
    counter: 'processed',
  }),
  failed: (requestId: string, error: string, at: string): RecordAdvance => ({
    requestId,
    fields: { status: 'error', finished_at: at, error },
    counter: 'failed',
  }),
  /** Fields cannot be deleted on the way, so the start is cleared by writing it empty. */
  returned: (requestId: string, attemptsBefore: number): RecordAdvance => ({
    requestId,
    fields: { status: 'queued', started_at: '', attempts: String(attemptsBefore) },
  }),
};

type AdvancingPipeline = ChainableCommander & { advanceUnfinished(keyCount: number, ...keysThenArgs: string[]): ChainableCommander };

/** Only what differs from the defaults is written: most new records are three short fields. */
function toFields(record: AnalysisRecord): RecordFields {
  const fields: RecordFields = { status: record.status, paper: record.paperHash, submitted_at: record.submittedAt };
  if (record.attempts > 0) fields.attempts = String(record.attempts);
  if (record.cached) fields.cached = '1';
  if (record.finishedAt) fields.finished_at = record.finishedAt;
  if (record.result) fields.result = JSON.stringify(record.result);
  return fields;
}

function fromFields(requestId: string, fields: RecordFields): AnalysisRecord {
  return {
    requestId,
    status: fields.status as AnalysisStatus,
    paperHash: fields.paper,
    submittedAt: fields.submitted_at,
    startedAt: fields.started_at || undefined,
    finishedAt: fields.finished_at,
    attempts: Number(fields.attempts ?? 0),
    cached: fields.cached === '1',
    result: fields.result ? (JSON.parse(fields.result) as AnalysisResult) : undefined,
    error: fields.error,
  };
}

/** Our own Redis record of each request: the only source `GET /status/:id` reads. */
@Injectable()
export class AnalysisReadModel {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.retention.resultTtlSeconds;
    if (!('advanceUnfinished' in redis)) redis.defineCommand('advanceUnfinished', { lua: ADVANCE_UNFINISHED });
  }

  /** The write that creates a record, for callers to send with their own writes. */
  creation(record: AnalysisRecord): ExpiringHash {
    return { key: redisKeys.request(record.requestId), fields: Object.entries(toFields(record)).flat(), ttlSeconds: this.ttlSeconds };
  }

  async find(requestId: string): Promise<AnalysisRecord | undefined> {
    const fields = await this.redis.hgetall(redisKeys.request(requestId));
    return fields.status ? fromFields(requestId, fields) : undefined;
  }

  /**
   * The requests among `requestIds` with nothing left to do: done, in error, or with no record (it expired,
   * or was withdrawn when its job could not be enqueued), which no client can poll and no event can advance.
   */
  async settledAmong(requestIds: readonly string[]): Promise<Set<string>> {
    const statuses = (await repliesOf(this.statusReads(requestIds))) as (string | null)[];
    return new Set(requestIds.filter((_, index) => statuses[index] === null || statuses[index] === 'done' || statuses[index] === 'error'));
  }

  /** Whether any of these requests has moved on from queued: a worker has taken its job. */
  async anyTaken(requestIds: readonly string[]): Promise<boolean> {
    const replies = (await this.statusReads(requestIds).exec()) ?? [];
    return replies.some(([error, status]) => !error && status !== null && status !== 'queued');
  }

  /** A pipeline reading each request's status, in one round trip (null without a record). */
  private statusReads(requestIds: readonly string[]): ChainableCommander {
    const pipeline = this.redis.pipeline();
    requestIds.forEach((requestId) => pipeline.hget(redisKeys.request(requestId), 'status'));
    return pipeline;
  }

  keyOf(requestId: string): string {
    return redisKeys.request(requestId);
  }

  /**
   * Applies every advance whose record is still unfinished, in one command.
   * Sent on an explicit pipeline, which ioredis writes at once: a read issued after this call follows it.
   */
  async advanceUnfinished(advances: readonly RecordAdvance[]): Promise<void> {
    const args: string[] = [String(this.ttlSeconds)];
    for (const { fields, counter } of advances) args.push(counter ?? '', String(2 * Object.keys(fields).length), ...Object.entries(fields).flat());
    const pipeline = this.redis.pipeline() as AdvancingPipeline;
    pipeline.advanceUnfinished(1 + advances.length, redisKeys.stats, ...advances.map(({ requestId }) => redisKeys.request(requestId)), ...args);
    await repliesOf(pipeline);
  }
}
