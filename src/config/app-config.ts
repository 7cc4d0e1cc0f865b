import { existsSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { redactUrlCredentials } from '../common/redact';
import { AppRole, Environment, LogLevel } from './environment';

export type ProviderChoice = 'groq' | 'offline';

/** The typed configuration every other part of the service receives by injection. */
export interface AppConfig {
  role: AppRole;
  /** How many processes of each role the `npm start` supervisor runs. */
  processes: { api: number; workers: number };
  logLevel: LogLevel;
  http: {
    host: string;
    port: number;
    maxTextChars: number;
    bodyLimitBytes: number;
    trustProxy: boolean | number | string[];
    /** Requests one API process handles at once; the others wait their turn. */
    maxConcurrentRequests: number;
  };
  upload: { maxBytes: number; pdfTimeoutMs: number };
  throttle: { ttlSeconds: number; submitLimit: number; pollLimit: number; apiKeys: string[] };
  redis: { url: string };
  llm: {
    provider: ProviderChoice;
    groq: { apiKey?: string; model: string; baseUrl?: string; timeoutMs: number };
    attempts: number;
    retryDelayMs: number;
    maxInflight: number;
    /** The key's limits, shared by every worker process through Redis. */
    limits: { requestsPerMinute: number; tokensPerMinute: number; requestsPerDay: number };
  };
  batching: { size: number; timeoutMs: number; maxTokens: number };
  queue: { maxWaiting: number };
  cache: { ttlSeconds: number };
  retention: { resultTtlSeconds: number };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Whether a process of this role answers HTTP, and whether it runs the batch worker. */
export const servesHttp = (config: AppConfig) => config.role !== 'worker';
export const runsWorker = (config: AppConfig) => config.role !== 'api';

/** Thrown when the environment is invalid; its message is one line naming the variable and what is wrong. */
export class ConfigError extends Error {}

/** JSON escapes can make one character up to six bytes; the rest is room for the title, abstract and syntax. */
const JSON_BYTES_PER_CHAR = 6;
const BODY_OVERHEAD_BYTES = 256 * 1024;

const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN/i;

/** Class-validator lists constraints last decorator first; the first decorator (the type) says the most. */
function describe(error: ValidationError, raw: Record<string, string | undefined>): string {
  const [mainProblem] = Object.values(error.constraints ?? {}).reverse();
  const shown = SECRET_NAME.test(error.property) ? '<hidden>' : redactUrlCredentials(raw[error.property] ?? '');
  return `${mainProblem} (got "${shown}")`;
}

function chooseProvider(environment: Environment): ProviderChoice {
  const provider = environment.LLM_PROVIDER ?? (environment.GROQ_API_KEY ? 'groq' : 'offline');
  if (provider === 'groq' && !environment.GROQ_API_KEY) {
    throw new ConfigError('GROQ_API_KEY is required when LLM_PROVIDER=groq (or unset LLM_PROVIDER to use the offline analyser)');
  }
  return provider;
}

/** Reads `.env` (if present) under the real environment, validates it, and returns the typed configuration. */
export function loadAppConfig(raw: Record<string, string | undefined> = readEnvironment()): AppConfig {
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const environment = plainToInstance(Environment, given, { excludeExtraneousValues: false });
  const errors = validateSync(environment, { skipMissingProperties: false });
  if (errors.length > 0) throw new ConfigError(`Invalid configuration: ${errors.map((error) => describe(error, raw)).join('; ')}`);

  return {
    role: environment.APP_ROLE,
    processes: { api: environment.WEB_CONCURRENCY, workers: environment.WORKER_CONCURRENCY },
    logLevel: environment.LOG_LEVEL,
    http: {
      host: environment.HOST,
      port: environment.PORT,
      maxTextChars: environment.MAX_TEXT_CHARS,
      bodyLimitBytes: environment.MAX_TEXT_CHARS * JSON_BYTES_PER_CHAR + BODY_OVERHEAD_BYTES,
      trustProxy: parseTrustProxy(environment.TRUST_PROXY),
      maxConcurrentRequests: environment.MAX_CONCURRENT_REQUESTS,
    },
    upload: { maxBytes: environment.MAX_UPLOAD_MB * 1024 * 1024, pdfTimeoutMs: environment.PDF_TIMEOUT_MS },
    throttle: {
      ttlSeconds: environment.THROTTLE_TTL,
      submitLimit: environment.THROTTLE_LIMIT,
      pollLimit: environment.THROTTLE_STATUS_LIMIT,
      apiKeys: (environment.API_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean),
    },
    redis: { url: environment.REDIS_URL },
    llm: {
      provider: chooseProvider(environment),
      groq: {
        apiKey: environment.GROQ_API_KEY,
        model: environment.GROQ_MODEL,
        baseUrl: environment.GROQ_BASE_URL,
        timeoutMs: environment.LLM_TIMEOUT_MS,
      },
      attempts: environment.LLM_ATTEMPTS,
      retryDelayMs: environment.LLM_RETRY_DELAY_MS,
      maxInflight: environment.MAX_INFLIGHT,
      limits: { requestsPerMinute: environment.LLM_RPM, tokensPerMinute: environment.LLM_TPM, requestsPerDay: environment.LLM_RPD },
    },
    batching: { size: environment.BATCH_SIZE, timeoutMs: environment.BATCH_TIMEOUT_MS, maxTokens: environment.BATCH_MAX_TOKENS },
    queue: { maxWaiting: environment.MAX_QUEUE_SIZE },
    cache: { ttlSeconds: environment.CACHE_TTL },
    retention: { resultTtlSeconds: environment.RESULT_TTL },
  };
}

/** Fastify's trustProxy: a boolean, a hop count, or the addresses of trusted proxies. */
function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((address) => address.trim());
}

/** The one place that reads process.env: values already set win over the `.env` file. */
function readEnvironment(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return { ...process.env };
}
