import { Inject, Injectable } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AnalysisResult } from '../../llm/analysis';
import { repliesOf } from '../../redis/pipeline-replies';
import { REDIS } from '../../redis/redis.module';
import { ExpiringHash } from '../../redis/expiring-writes';
import { redisKeys } from '../../redis/redis-keys';
import { AnalysisRecord, AnalysisStatus } from '../analysis-status';

/**
 * Moves a record on only while it is unfinished, so a late or repeated event (a stalled job run twice)
 * never takes a finished request back to processing.
 */
const ADVANCE_UNFINISHED = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == false or status == 'done' or status == 'error' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

type RecordFields = Record<string, string>;

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
    startedAt: fields.started_at,
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

  markProcessing(pipeline: ChainableCommander, requestId: string, attempt: number, at: string): void {
    this.advance(pipeline, requestId, { status: 'processing', started_at: at, attempts: String(attempt) });
  }

  markDone(pipeline: ChainableCommander, requestId: string, result: AnalysisResult, at: string): void {
    this.advance(pipeline, requestId, { status: 'done', finished_at: at, result: JSON.stringify(result) });
  }

  markFailed(pipeline: ChainableCommander, requestId: string, error: string, at: string): void {
    this.advance(pipeline, requestId, { status: 'error', finished_at: at, error });
  }

  private advance(pipeline: ChainableCommander, requestId: string, fields: RecordFields): void {
    pipeline.eval(ADVANCE_UNFINISHED, 1, redisKeys.request(requestId), ...Object.entries(fields).flat());
  }
}
