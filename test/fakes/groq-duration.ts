/**
 * A duration written the way Groq writes it in `x-ratelimit-reset-*` headers and rate-limit messages
 * (Go's time.Duration format): `2m59.56s`, `7.66s`, `1h0m0s`, `450ms`, `0s`. Rounded to `precisionMs`.
 */
export function formatGroqDuration(milliseconds: number, precisionMs = 10): string {
  const rounded = Math.max(0, Math.round(milliseconds / precisionMs) * precisionMs);
  if (rounded === 0) return '0s';
  if (rounded < 1000) return `${rounded}ms`;
  const hours = Math.floor(rounded / 3_600_000);
  const minutes = Math.floor((rounded % 3_600_000) / 60_000);
  const seconds = trimDecimals((rounded % 60_000) / 1000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function trimDecimals(seconds: number): string {
  return seconds.toFixed(3).replace(/\.?0+$/, '');
}
