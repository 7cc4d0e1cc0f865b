/** What the fake Groq server can be told to do, with defaults and validation shared by the class, its CLI and `POST /control`. */

export const FAULT_KINDS = [
  'server_error',
  'unavailable',
  'timeout',
  'stalled_body',
  'malformed_json',
  'json_validate_failed',
  'missing_item',
  'invalid_item',
  'rate_limited',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FakeGroqOptions {
  /** Milliseconds to wait before answering an admitted request (200s and injected faults; not 401/400/429). */
  latencyMs: number;
  /** Requests per minute over a sliding 60 s window; 0 = unlimited. */
  rpm: number;
  /** Tokens per minute over a sliding 60 s window (prompt + max completion tokens per request); 0 = unlimited. */
  tpm: number;
  /** Requests per day over a sliding 24 h window; 0 = unlimited. Reported in the `x-ratelimit-*-requests` headers. */
  rpd: number;
  /** Probability (0..1) that an admitted request gets a random fault drawn from `faultKinds`. */
  faultRate: number;
  /** The kinds `faultRate` draws from. */
  faultKinds: FaultKind[];
  /** The `retry-after` of an injected `rate_limited` fault, in whole seconds. */
  retryAfterSeconds: number;
  /** Seed of the generator behind `faultRate`, so a run with the same requests gets the same faults. */
  seed: number;
}

export interface FakeGroqServerOptions extends Partial<FakeGroqOptions> {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
}

export const DEFAULT_FAKE_GROQ_OPTIONS: Readonly<FakeGroqOptions> = Object.freeze({
  latencyMs: 0,
  rpm: 0,
  tpm: 0,
  rpd: 0,
  faultRate: 0,
  faultKinds: [...FAULT_KINDS.filter((kind) => kind !== 'timeout' && kind !== 'stalled_body')],
  retryAfterSeconds: 2,
  seed: 1,
});

const WHOLE_NUMBER_OPTIONS = ['latencyMs', 'rpm', 'tpm', 'rpd', 'retryAfterSeconds', 'seed'] as const;

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

/** The fault kinds of a list, or an error naming the first unknown one. */
export function parseFaultKinds(values: readonly unknown[]): FaultKind[] {
  return values.map((value) => {
    if (!isFaultKind(value)) {
      throw new Error(`unknown fault kind ${JSON.stringify(value)}; expected one of ${FAULT_KINDS.join(', ')}`);
    }
    return value;
  });
}

function checkWholeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkRate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`faultRate must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * A checked copy of the option fields present in `input` (unknown fields are errors, absent ones stay absent).
 * Throws an Error whose message says which field is wrong.
 */
export function validateOptions(input: unknown): Partial<FakeGroqOptions> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('options must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  const checked: Partial<FakeGroqOptions> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if ((WHOLE_NUMBER_OPTIONS as readonly string[]).includes(key)) {
      checked[key as (typeof WHOLE_NUMBER_OPTIONS)[number]] = checkWholeNumber(key, value);
    } else if (key === 'faultRate') {
      checked.faultRate = checkRate(value);
    } else if (key === 'faultKinds') {
      if (!Array.isArray(value)) throw new Error('faultKinds must be an array of fault kinds');
      checked.faultKinds = parseFaultKinds(value);
    } else {
      throw new Error(`unknown option ${JSON.stringify(key)}`);
    }
  }
  return checked;
}

/** `current` with the checked fields of `patch` applied; a fault rate needs at least one kind to draw. */
export function mergeOptions(current: Readonly<FakeGroqOptions>, patch: unknown): FakeGroqOptions {
  const merged: FakeGroqOptions = { ...current, ...validateOptions(patch) };
  if (merged.faultRate > 0 && merged.faultKinds.length === 0) {
    throw new Error('faultKinds must not be empty when faultRate > 0');
  }
  merged.faultKinds = [...merged.faultKinds];
  return merged;
}
