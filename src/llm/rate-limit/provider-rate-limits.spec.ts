import { parseGroqDuration, readProviderRateLimits, retryAfterMs } from './provider-rate-limits';

describe('parseGroqDuration', () => {
  it.each([
    ['7.66s', 7_660],
    ['1m2.5s', 62_500],
    ['2m59.56s', 179_560],
    ['1h0m0s', 3_600_000],
    ['23h59m59.1s', 86_399_100],
    ['450ms', 450],
    ['0s', 0],
    ['1.5ms', 2],
  ])('reads %s as %i ms', (text, milliseconds) => {
    expect(parseGroqDuration(text)).toBe(milliseconds);
  });

  it.each(['', '7.66', 's', '1x', '1m 2s', 'soon'])('refuses %j', (text) => {
    expect(parseGroqDuration(text)).toBeUndefined();
  });
});

describe('readProviderRateLimits', () => {
  it('reads tokens per minute, requests per day and retry-after', () => {
    const headers = new Headers({
      'x-ratelimit-limit-tokens': '8000',
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '51s',
      'x-ratelimit-limit-requests': '1000',
      'x-ratelimit-remaining-requests': '998',
      'x-ratelimit-reset-requests': '2m52.8s',
      'retry-after': '3',
    });

    expect(readProviderRateLimits(headers)).toEqual({
      tokensPerMinute: { limit: 8_000, remaining: 1_200, resetMs: 51_000 },
      requestsPerDay: { limit: 1_000, remaining: 998, resetMs: 172_800 },
      retryAfterMs: 3_000,
    });
  });

  it('leaves out a budget with a missing or malformed header', () => {
    const headers = new Headers({ 'x-ratelimit-limit-tokens': '8000', 'x-ratelimit-remaining-tokens': 'lots', 'x-ratelimit-reset-tokens': '1s' });

    expect(readProviderRateLimits(headers)).toEqual({ tokensPerMinute: undefined, requestsPerDay: undefined, retryAfterMs: undefined });
    expect(readProviderRateLimits(undefined)).toEqual({});
  });

  it('reads the requests-per-minute limit a 429 names, which no header carries', () => {
    const message =
      '429 Rate limit reached for model `openai/gpt-oss-120b` in organization `org_1` service tier `on_demand` on requests per minute (RPM): ' +
      'Limit 30, Used 30, Requested 1. Please try again in 1.8s.';

    expect(readProviderRateLimits(undefined, message)).toEqual({ requestsPerMinuteLimit: 30 });
    expect(readProviderRateLimits(undefined, message.replace('(RPM)', '(TPM)'))).toEqual({});
  });
});

describe('retryAfterMs', () => {
  it('reads seconds with a fraction, rounded up to a millisecond', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2.5' }))).toBe(2_500);
    expect(retryAfterMs(new Headers({ 'retry-after': '0' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
