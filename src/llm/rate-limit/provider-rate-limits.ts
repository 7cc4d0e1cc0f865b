/** One budget as the provider reported it in a response: its limit, what remains, and when its usage is back to none. */
export interface ReportedBudget {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** What a Groq response says about the key's limits; any part may be missing. */
export interface ProviderRateLimits {
  /** `x-ratelimit-*-tokens`: tokens per minute. */
  tokensPerMinute?: ReportedBudget;
  /** `x-ratelimit-*-requests`: requests per day. */
  requestsPerDay?: ReportedBudget;
  /** `retry-after` of a 429: nothing may be sent before it passes. */
  retryAfterMs?: number;
  /** The requests-per-minute limit a 429 named; no header carries it. */
  requestsPerMinuteLimit?: number;
}

interface HeaderSource {
  get(name: string): string | null;
}

const DURATION_UNITS_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/** A duration as Groq writes it in `x-ratelimit-reset-*` (Go's format: `7.66s`, `1m2.5s`, `2h0m0s`, `450ms`), in ms. */
export function parseGroqDuration(text: string | null | undefined): number | undefined {
  const value = text?.trim();
  if (!value || !DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART)) total += Number(amount) * DURATION_UNITS_MS[unit];
  return Math.ceil(total);
}

/** Groq's `retry-after` is in seconds, possibly with a fraction. */
export function retryAfterMs(headers: HeaderSource | undefined): number | undefined {
  const seconds = Number(headers?.get('retry-after') ?? undefined);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** Groq's 429 message names the limit reached: "... on requests per minute (RPM): Limit 30, Used 30, Requested 1. ...". */
const RPM_LIMIT_IN_MESSAGE = /\(RPM\): Limit (\d+)/;

/**
 * What a Groq response (success or error) reports about the key's limits: its rate-limit headers and, for a 429,
 * the limit its message names. What is missing or malformed is left out.
 */
export function readProviderRateLimits(headers: HeaderSource | undefined, refusalMessage?: string): ProviderRateLimits {
  const rpmLimit = Number(RPM_LIMIT_IN_MESSAGE.exec(refusalMessage ?? '')?.[1]);
  return {
    ...(headers && { tokensPerMinute: readBudget(headers, 'tokens'), requestsPerDay: readBudget(headers, 'requests'), retryAfterMs: retryAfterMs(headers) }),
    ...(rpmLimit > 0 && { requestsPerMinuteLimit: rpmLimit }),
  };
}

function readBudget(headers: HeaderSource, unit: 'tokens' | 'requests'): ReportedBudget | undefined {
  const limit = wholeNumber(headers.get(`x-ratelimit-limit-${unit}`));
  const remaining = wholeNumber(headers.get(`x-ratelimit-remaining-${unit}`));
  const resetMs = parseGroqDuration(headers.get(`x-ratelimit-reset-${unit}`));
  if (limit === undefined || limit === 0 || remaining === undefined || resetMs === undefined) return undefined;
  return { limit, remaining: Math.min(remaining, limit), resetMs };
}

function wholeNumber(text: string | null): number | undefined {
  if (text === null || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}
