import { APIConnectionError, APIError } from 'groq-sdk';
import { InvalidAnalysisError, LlmRejectedError, LlmUnavailableError, PaperRefusedError } from '../llm-errors';
import { retryAfterMs } from '../rate-limit/provider-rate-limits';

function errorCode(error: APIError): string | undefined {
  const body = error.error as { error?: { code?: string }; code?: string } | undefined;
  return body?.error?.code ?? body?.code;
}

/**
 * Sorts groq-sdk's errors into what the batch processor acts on: wait and retry, retry the documents,
 * or give up with a message the user can act on. No message carries the key or the paper.
 */
export function mapGroqError(error: unknown, model: string): Error {
  if (error instanceof APIConnectionError) {
    return new LlmUnavailableError(`Groq could not be reached (${error.name})`, { cause: error });
  }
  if (!(error instanceof APIError) || error.status === undefined) return error instanceof Error ? error : new Error(String(error));

  const status = error.status;
  if (status === 429 || status === 408 || status === 409 || status >= 500) {
    return new LlmUnavailableError(`Groq answered ${status}`, { cause: error, retryAfterMs: retryAfterMs(error.headers as Headers | undefined) });
  }
  if (errorCode(error) === 'json_validate_failed') {
    return new InvalidAnalysisError('the model did not produce valid JSON', { cause: error });
  }
  if (status === 401 || status === 403) {
    return new LlmRejectedError('The analysis service could not authenticate with its LLM provider; the operator must check GROQ_API_KEY.', {
      cause: error,
    });
  }
  if (status === 413 && errorCode(error) === 'rate_limit_exceeded') {
    return new LlmRejectedError(
      'The LLM provider refused a call larger than the key\'s tokens per minute; the operator must set LLM_TPM to the key\'s limit.',
      { cause: error },
    );
  }
  if (status === 404) {
    return new LlmRejectedError(`The LLM model "${model}" is not available; the operator must set GROQ_MODEL to a model the key can use.`, {
      cause: error,
    });
  }
  const refusal = `The LLM provider refused to analyse this paper (HTTP ${status}); a shorter or different text may work.`;
  // Too long for the model, which one paper of a packed call may be; any other refusal is the call's as a whole.
  if (status === 413 || errorCode(error) === 'context_length_exceeded') return new PaperRefusedError(refusal, { cause: error });
  return new LlmRejectedError(refusal, { cause: error });
}
