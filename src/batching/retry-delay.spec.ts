import { LlmUnavailableError } from '../llm/llm-errors';
import { retryDelayMs } from './retry-delay';

const noJitter = () => 0;

describe('retryDelayMs', () => {
  it('doubles from the base delay with each attempt', () => {
    expect([1, 2, 3].map((attempts) => retryDelayMs(attempts, new Error('x'), { baseDelayMs: 1_000 }, noJitter))).toEqual([1_000, 2_000, 4_000]);
  });

  it('never retries sooner than the provider asked', () => {
    const limited = new LlmUnavailableError('Groq answered 429', { retryAfterMs: 2_000 });
    expect(retryDelayMs(1, limited, { baseDelayMs: 50 }, noJitter)).toBe(2_000);
    expect(retryDelayMs(3, limited, { baseDelayMs: 1_000 }, noJitter)).toBe(4_000);
  });

  it('adds up to a fifth at random', () => {
    expect(retryDelayMs(1, new Error('x'), { baseDelayMs: 1_000 }, () => 0.999)).toBe(1_200);
  });
});
