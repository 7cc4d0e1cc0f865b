import { PermanentError } from '../common/permanent-error';
import { InvalidAnalysisError, LlmUnavailableError } from '../llm/llm-errors';

/** What a user reads when their request ends in error: what happened and what to do, nothing internal. */
export function failureMessage(error: Error, attempts: number): string {
  if (error instanceof PermanentError) return error.message;
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (error instanceof LlmUnavailableError) {
    return `The LLM provider stayed unavailable ${tries} (${error.message}); submit the paper again later.`;
  }
  if (error instanceof InvalidAnalysisError) {
    return `The LLM did not return a valid analysis ${tries} (${error.message}); submit the paper again, or a shorter part of it.`;
  }
  if (/stalled/i.test(error.message)) {
    return `The worker analysing this paper stopped ${tries}; submit the paper again.`;
  }
  return `The analysis failed ${tries} because of an internal error; submit the paper again later.`;
}
