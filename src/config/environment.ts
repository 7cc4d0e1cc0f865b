import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { availableParallelism } from 'node:os';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

const toTrimmedOrUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];

const MAX_PROCESSES_PER_ROLE = 256;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every setting the service reads, with its default. Validated once at start-up; the rest of the code
 * receives the typed `AppConfig` built from it and never reads process.env.
 */
export class Environment {
  @Transform(toTrimmedOrUndefined) @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 8000;

  /** API processes `npm start` runs, sharing PORT: one per core by default, however many cores. */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PROCESSES_PER_ROLE)
  WEB_CONCURRENCY = Math.min(availableParallelism(), MAX_PROCESSES_PER_ROLE);

  /** Worker processes `npm start` runs. */
  @Type(() => Number) @IsInt() @Min(0) @Max(MAX_PROCESSES_PER_ROLE)
  WORKER_CONCURRENCY = 1;

  @Transform(toTrimmedOrUndefined) @IsString()
  HOST = '0.0.0.0';

  @Transform(toTrimmedOrUndefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: '$property must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Transform(toTrimmedOrUndefined) @IsOptional() @IsIn(['groq', 'offline'])
  LLM_PROVIDER?: 'groq' | 'offline';

  @Transform(toTrimmedOrUndefined) @IsOptional() @IsString()
  GROQ_API_KEY?: string;

  @Transform(toTrimmedOrUndefined) @IsString()
  GROQ_MODEL = 'openai/gpt-oss-120b';

  @Transform(toTrimmedOrUndefined) @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: '$property must be an http(s) URL' })
  GROQ_BASE_URL?: string;

  @Type(() => Number) @IsInt() @Min(100) @Max(600_000)
  LLM_TIMEOUT_MS = 60_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(10)
  LLM_ATTEMPTS = 3;

  @Type(() => Number) @IsInt() @Min(0) @Max(600_000)
  LLM_RETRY_DELAY_MS = 1_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(256)
  MAX_INFLIGHT = 4;

  /** LLM requests per minute for the key, shared by every worker process (Groq's free tier: 30 on gpt-oss). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  LLM_RPM = 30;

  /**
   * LLM tokens (prompt + completion) per minute for the key, shared by every worker process (free tier: 8,000).
   * At least 4,000: one call takes about 300 tokens of instructions and a completion budget of 1,500 for a
   * paper, the provider refuses a call that alone exceeds the tokens per minute, and what is left must hold
   * enough of a paper for the notes on it to be shorter than the text they replace.
   */
  @Type(() => Number) @IsInt() @Min(4_000) @Max(100_000_000)
  LLM_TPM = 8_000;

  /** LLM requests per day for the key, shared by every worker process (free tier: 1,000). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000_000)
  LLM_RPD = 1_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(256)
  BATCH_SIZE = 16;

  @Type(() => Number) @IsInt() @Min(0) @Max(60_000)
  BATCH_TIMEOUT_MS = 120;

  /** Input tokens of papers packed into one LLM call; below the key's tokens/minute, which Groq enforces per request too. */
  @Type(() => Number) @IsInt() @Min(100) @Max(10_000_000)
  BATCH_MAX_TOKENS = 6_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000_000)
  MAX_QUEUE_SIZE = 100_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(365 * 24 * 3600)
  CACHE_TTL = 3600;

  @Type(() => Number) @IsInt() @Min(60) @Max(365 * 24 * 3600)
  RESULT_TTL = 7 * 24 * 3600;

  @Type(() => Number) @IsInt() @Min(100) @Max(5_000_000)
  MAX_TEXT_CHARS = 400_000;

  /** Requests one API process handles at once; more wait their turn in arrival order (src/http/request-admission.ts). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  MAX_CONCURRENT_REQUESTS = 500;

  /** Largest file accepted by a multipart upload to POST /analyze, in megabytes. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1024)
  MAX_UPLOAD_MB = 20;

  /** Time limit for extracting the text of one uploaded PDF, in milliseconds. */
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000)
  PDF_TIMEOUT_MS = 10_000;

  /** Submissions (POST /analyze) one client may make per THROTTLE_TTL seconds. */
  @Type(() => Number) @IsInt() @Min(1)
  THROTTLE_LIMIT = 1_200;

  @Type(() => Number) @IsInt() @Min(1) @Max(24 * 3600)
  THROTTLE_TTL = 60;

  /** Polls (GET /status and /status/:id) one client may make per THROTTLE_TTL seconds. */
  @Type(() => Number) @IsInt() @Min(1)
  THROTTLE_STATUS_LIMIT = 12_000;

  /**
   * Whether to believe X-Forwarded-For: false (the default), true, a hop count, or a comma-separated
   * list of proxy addresses or CIDRs.
   */
  @Transform(toTrimmedOrUndefined)
  @Matches(/^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: '$property must be true, false, a hop count, or a comma-separated list of addresses or CIDRs',
  })
  TRUST_PROXY = 'false';

  /** Comma-separated API keys; a request carrying one (X-API-Key) is throttled by its key rather than its address. */
  @Transform(toTrimmedOrUndefined) @IsOptional() @IsString()
  API_KEYS?: string;

  @Transform(toTrimmedOrUndefined) @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';
}
