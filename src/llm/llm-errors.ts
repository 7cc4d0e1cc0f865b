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
 * The worker, stopping, withdrew an analysis before it had an answer: the analysis waited for room under the
 * rate limits or for another worker analysing the same paper, or its call was still under way when the time
 * for calls to finish ran out and was cut off. Its papers go back to the queue without spending an attempt.
 * (A long paper's calls for its first parts may have been made: they are made again.)
 */
export class AnalysisWithdrawnError extends LlmUnavailableError {
  constructor(why: string) {
    super(`The worker stopped while ${why}`);
    this.name = 'AnalysisWithdrawnError';
  }
}

/** The provider refused the request itself (bad key, unknown model, request too large): retrying cannot help. */
export class LlmRejectedError extends PermanentError {}

/**
 * The provider refused a call for what it carried, naming neither the key nor the model: one paper of a
 * packed call may be the cause, so each of its papers is asked again alone.
 */
export class PaperRefusedError extends LlmRejectedError {}

/** The answer for a document was missing or did not match the analysis schema. */
export class InvalidAnalysisError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidAnalysisError';
  }
}

