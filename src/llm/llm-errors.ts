import { PermanentError } from '../common/permanent-error';

/** The provider could not answer now (rate limit, overload, time-out, network): retrying later may work. */
export class LlmUnavailableError extends Error {
  /** How long the provider asked us to wait (its Retry-After), when it said. */
  readonly retryAfterMs?: number;

  constructor(message: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.name = 'LlmUnavailableError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * The worker began to stop while a call waited for room under the rate limits, so the call was never made:
 * its papers can go back to the queue without spending an attempt.
 */
export class StoppedWaitingError extends LlmUnavailableError {
  constructor() {
    super('The worker stopped while the call waited for the LLM rate limits');
    this.name = 'StoppedWaitingError';
  }
}

/** The provider refused the request itself (bad key, unknown model, request too large): retrying cannot help. */
export class LlmRejectedError extends PermanentError {}

/** The answer for a document was missing or did not match the analysis schema. */
export class InvalidAnalysisError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidAnalysisError';
  }
}

