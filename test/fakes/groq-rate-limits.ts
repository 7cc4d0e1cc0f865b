import { formatGroqDuration } from './groq-duration';
import { RateWindow } from './rate-window';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** What the headers report for a limit configured as 0 (unlimited): large enough that no client throttles on it. */
export const UNLIMITED_REPORTED_LIMIT = 1_000_000_000;

export interface RateLimits {
  rpm: number;
  tpm: number;
  rpd: number;
}

/** Which limit refused a request, in Groq's words. */
export type LimitName = 'RPM' | 'TPM' | 'RPD';

export interface RateRefusal {
  limit: LimitName;
  /** The configured limit that would be exceeded. */
  limitValue: number;
  used: number;
  requested: number;
  /** Milliseconds until enough of the window frees up; Infinity when the request alone exceeds the limit. */
  retryAfterMs: number;
}

export type Admission = { admitted: true } | { admitted: false; refusal: RateRefusal };

const LIMIT_UNITS: Record<LimitName, string> = {
  RPM: 'requests per minute',
  TPM: 'tokens per minute',
  RPD: 'requests per day',
};

/**
 * Groq-style rate limits over sliding windows: requests and tokens per minute, requests per day.
 * A request is admitted only if it fits under every configured limit, and then counts against all of them.
 */
export class GroqRateLimiter {
  private readonly minuteRequests = new RateWindow(MINUTE_MS);
  private readonly minuteTokens = new RateWindow(MINUTE_MS);
  private readonly dayRequests = new RateWindow(DAY_MS);

  constructor(private limits: RateLimits) {}

  setLimits(limits: RateLimits): void {
    this.limits = { ...limits };
  }

  /** Admits (and records) a request of `tokens` tokens at `now`, or says which limit refuses it and for how long. */
  admit(tokens: number, now: number): Admission {
    const refusal =
      this.check('RPD', this.dayRequests, 1, now) ??
      this.check('RPM', this.minuteRequests, 1, now) ??
      this.check('TPM', this.minuteTokens, tokens, now);
    if (refusal) return { admitted: false, refusal };
    this.minuteRequests.add(1, now);
    this.minuteTokens.add(tokens, now);
    this.dayRequests.add(1, now);
    return { admitted: true };
  }

  /**
   * Groq's rate-limit headers: `-requests` are per day, `-tokens` per minute; a reset is the time until that
   * window is back to its initial state.
   */
  headers(now: number): Record<string, string> {
    const dayLimit = this.limits.rpd || UNLIMITED_REPORTED_LIMIT;
    const tokenLimit = this.limits.tpm || UNLIMITED_REPORTED_LIMIT;
    return {
      'x-ratelimit-limit-requests': String(dayLimit),
      'x-ratelimit-limit-tokens': String(tokenLimit),
      'x-ratelimit-remaining-requests': String(Math.max(0, dayLimit - this.dayRequests.used(now))),
      'x-ratelimit-remaining-tokens': String(Math.max(0, tokenLimit - this.minuteTokens.used(now))),
      'x-ratelimit-reset-requests': formatGroqDuration(this.dayRequests.untilEmpty(now)),
      'x-ratelimit-reset-tokens': formatGroqDuration(this.minuteTokens.untilEmpty(now)),
    };
  }

  clear(): void {
    this.minuteRequests.clear();
    this.minuteTokens.clear();
    this.dayRequests.clear();
  }

  private check(limit: LimitName, window: RateWindow, amount: number, now: number): RateRefusal | undefined {
    const limitValue = this.limitOf(limit);
    if (limitValue === 0) return undefined;
    const retryAfterMs = window.waitFor(amount, limitValue, now);
    if (retryAfterMs === 0) return undefined;
    return { limit, limitValue, used: window.used(now), requested: amount, retryAfterMs };
  }

  private limitOf(limit: LimitName): number {
    if (limit === 'RPM') return this.limits.rpm;
    if (limit === 'TPM') return this.limits.tpm;
    return this.limits.rpd;
  }
}

/** The `retry-after` header value: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** Groq's 429 message for a refusal. */
export function rateLimitMessage(model: string, refusal: RateRefusal): string {
  const { limit, limitValue, used, requested, retryAfterMs } = refusal;
  const wait = formatGroqDuration(retryAfterMs, 1);
  const more = limit === 'TPM' ? 'tokens' : 'requests';
  return (
    `Rate limit reached for model \`${model}\` in organization \`org_fake\` service tier \`on_demand\` ` +
    `on ${LIMIT_UNITS[limit]} (${limit}): Limit ${limitValue}, Used ${used}, Requested ${requested}. ` +
    `Please try again in ${wait}. Need more ${more}? Upgrade to Dev Tier today at https://console.groq.com/settings/billing`
  );
}

/** Groq's 413 message for a request whose tokens alone exceed the TPM limit. */
export function requestTooLargeMessage(model: string, refusal: RateRefusal): string {
  return (
    `Request too large for model \`${model}\` in organization \`org_fake\` service tier \`on_demand\` ` +
    `on ${LIMIT_UNITS[refusal.limit]} (${refusal.limit}): Limit ${refusal.limitValue}, Requested ${refusal.requested}, ` +
    'please reduce your message size and try again. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing'
  );
}

/** Groq's error `type` for a refusal: which kind of budget ran out. */
export function rateLimitType(refusal: RateRefusal): 'tokens' | 'requests' {
  return refusal.limit === 'TPM' ? 'tokens' : 'requests';
}
