import { APIConnectionTimeoutError, APIError } from 'groq-sdk';
import { InvalidAnalysisError, LlmRejectedError, LlmUnavailableError, PaperRefusedError } from '../llm-errors';
import { mapGroqError } from './groq-error-mapping';

const apiError = (status: number, body: object = {}) => APIError.generate(status, body, undefined, new Headers());

describe('mapGroqError', () => {
  it.each([429, 500, 503, 408])('treats HTTP %i as a passing outage to retry', (status) => {
    const mapped = mapGroqError(apiError(status), 'openai/gpt-oss-120b');
    expect(mapped).toBeInstanceOf(LlmUnavailableError);
    expect(mapped.message).toBe(`Groq answered ${status}`);
  });

  it('keeps the Retry-After a 429 carries', () => {
    const limited = APIError.generate(429, {}, undefined, new Headers({ 'retry-after': '2.5' }));
    expect((mapGroqError(limited, 'm') as LlmUnavailableError).retryAfterMs).toBe(2_500);
  });

  it('treats a time-out or a lost connection as a passing outage', () => {
    expect(mapGroqError(new APIConnectionTimeoutError(), 'm')).toBeInstanceOf(LlmUnavailableError);
  });

  it('treats a model that produced no valid JSON as a bad answer, to ask again', () => {
    expect(mapGroqError(apiError(400, { error: { code: 'json_validate_failed' } }), 'm')).toBeInstanceOf(InvalidAnalysisError);
  });

  it('gives up at once on a refused key or unknown model, saying what the operator must change, without the key', () => {
    const key = mapGroqError(apiError(401), 'm');
    expect(key).toBeInstanceOf(LlmRejectedError);
    expect(key.message).toMatch(/check GROQ_API_KEY/);
    const model = mapGroqError(apiError(404), 'llama-3.1-70b-instant');
    expect(model).toBeInstanceOf(LlmRejectedError);
    expect([key, model].some((refusal) => refusal instanceof PaperRefusedError)).toBe(false);
    expect(model.message).toMatch(/"llama-3.1-70b-instant" is not available.*GROQ_MODEL/);
  });

  it('takes a refusal for length for one of the papers the call carried, to be asked again alone, and any other for the call\'s', () => {
    for (const tooLong of [apiError(400, { error: { code: 'context_length_exceeded' } }), apiError(413, { error: { code: 'request_too_large' } })]) {
      const refused = mapGroqError(tooLong, 'm');
      expect(refused).toBeInstanceOf(PaperRefusedError);
      expect(refused.message).toMatch(/^The LLM provider refused to analyse this paper \(HTTP 4\d\d\); a shorter or different text may work\.$/);
    }
    const refused = mapGroqError(apiError(400, { error: { code: 'model_decommissioned' } }), 'm');
    expect(refused).toBeInstanceOf(LlmRejectedError);
    expect(refused).not.toBeInstanceOf(PaperRefusedError);
  });

  it('names LLM_TPM when the provider refuses a call larger than the key\'s tokens per minute', () => {
    const tooLarge = mapGroqError(apiError(413, { error: { code: 'rate_limit_exceeded', type: 'tokens' } }), 'm');
    expect(tooLarge).toBeInstanceOf(LlmRejectedError);
    expect(tooLarge.message).toMatch(/set LLM_TPM to the key's limit/);
  });
});
