import { LlmUnavailableError } from '../llm/llm-errors';

/** The name under which Bull knows `retryDelayMs` as a backoff strategy. */
export const LLM_AWARE_BACKOFF = 'llm-aware';

/** Up to this share is added at random, so jobs that failed together do not all come back together. */
const JITTER = 0.2;

export interface RetryDelayOptions {
  baseDelayMs: number;
}

/**
 * How long Bull waits before a job's next attempt: doubling from LLM_RETRY_DELAY_MS, never sooner than
 * the Retry-After the provider sent, plus jitter.
 */
export function retryDelayMs(attemptsMade: number, error: unknown, options: RetryDelayOptions, random: () => number = Math.random): number {
  const exponential = options.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1);
  const askedFor = error instanceof LlmUnavailableError ? (error.retryAfterMs ?? 0) : 0;
  return Math.round(Math.max(exponential, askedFor) * (1 + JITTER * random()));
}
