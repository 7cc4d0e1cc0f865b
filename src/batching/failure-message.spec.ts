import { LlmRejectedError, InvalidAnalysisError, LlmUnavailableError } from '../llm/llm-errors';
import { failureMessage } from './failure-message';

describe('failureMessage', () => {
  it('passes a permanent error\'s own message through', () => {
    expect(failureMessage(new LlmRejectedError('Set GROQ_MODEL to a model the key can use.'), 1)).toBe('Set GROQ_MODEL to a model the key can use.');
  });

  it('says what to do after an outage or invalid answers, counting the attempts', () => {
    expect(failureMessage(new LlmUnavailableError('Groq answered 503'), 3)).toBe(
      'The LLM provider stayed unavailable after 3 attempts (Groq answered 503); submit the paper again later.',
    );
    expect(failureMessage(new InvalidAnalysisError('the answer is not valid JSON'), 1)).toMatch(/^The LLM did not return a valid analysis after 1 attempt \(/);
  });

  it('never shows an internal error\'s message', () => {
    const message = failureMessage(new TypeError('Cannot read properties of undefined (reading \'x\') at /srv/app.js'), 2);
    expect(message).toBe('The analysis failed after 2 attempts because of an internal error; submit the paper again later.');
  });
});
