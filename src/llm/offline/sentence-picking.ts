import { RankedSentence } from './ranked-sentences';

export interface ScoredSentence {
  sentence: RankedSentence;
  score: number;
}

export interface PickLimits {
  max: number;
  /** Total characters of the picked sentences, spaces between them included. */
  maxChars?: number;
  /** Sentences already used elsewhere, which count as duplicates. */
  avoid?: readonly RankedSentence[];
}

/** Sentences sharing at least this share of their terms say the same thing. */
const DUPLICATE_SIMILARITY = 0.5;

/** Highest score first, earlier sentence first on ties, so the same input always gives the same pick. */
export function byScore(candidates: readonly ScoredSentence[]): ScoredSentence[] {
  return [...candidates].sort((a, b) => b.score - a.score || a.sentence.index - b.sentence.index);
}

export function inReadingOrder(sentences: readonly RankedSentence[]): RankedSentence[] {
  return [...sentences].sort((a, b) => a.index - b.index);
}

/** Greedily takes the best candidates that repeat none already taken (or to avoid) and fit the limits. */
export function pickDistinct(ranked: readonly ScoredSentence[], limits: PickLimits, taken: RankedSentence[] = []): RankedSentence[] {
  const picked = [...taken];
  let chars = totalChars(picked);
  for (const { sentence } of ranked) {
    if (picked.length >= limits.max) break;
    if (limits.maxChars !== undefined && chars + sentence.text.length > limits.maxChars) continue;
    if ([...picked, ...(limits.avoid ?? [])].some((other) => repeats(sentence, other))) continue;
    picked.push(sentence);
    chars += sentence.text.length + 1;
  }
  return picked;
}

/** How much relevance counts against novelty when picking sentences that should not repeat one another. */
const RELEVANCE_SHARE = 0.7;

/**
 * Maximal marginal relevance: repeatedly takes the candidate whose score, less its likeness to what is already taken,
 * is highest, so later picks add something new. Duplicates and candidates past the limits are never taken.
 */
export function pickDiverse(candidates: readonly ScoredSentence[], limits: PickLimits, taken: RankedSentence[] = []): RankedSentence[] {
  const picked = [...taken];
  const best = Math.max(...candidates.map(({ score }) => score), Number.MIN_VALUE);
  let remaining = byScore(candidates);
  let chars = totalChars(picked);
  while (picked.length < limits.max) {
    remaining = remaining.filter(
      ({ sentence }) =>
        (limits.maxChars === undefined || chars + sentence.text.length <= limits.maxChars) &&
        ![...picked, ...(limits.avoid ?? [])].some((other) => repeats(sentence, other)),
    );
    if (remaining.length === 0) break;
    const marginal = ({ sentence, score }: ScoredSentence): number =>
      RELEVANCE_SHARE * (score / best) - (1 - RELEVANCE_SHARE) * Math.max(0, ...picked.map((other) => termCosine(sentence, other)));
    const next = remaining.reduce((chosen, candidate) => (marginal(candidate) > marginal(chosen) ? candidate : chosen));
    picked.push(next.sentence);
    chars += next.sentence.text.length + 1;
  }
  return picked;
}

export function joinSentences(sentences: readonly RankedSentence[]): string {
  return inReadingOrder(sentences)
    .map((sentence) => sentence.text)
    .join(' ');
}

function totalChars(sentences: readonly RankedSentence[]): number {
  return sentences.reduce((total, sentence) => total + sentence.text.length + 1, 0);
}

function repeats(sentence: RankedSentence, other: RankedSentence): boolean {
  return sentence.index === other.index || sentence.text === other.text || termJaccard(sentence, other) >= DUPLICATE_SIMILARITY;
}

function termJaccard(a: RankedSentence, b: RankedSentence): number {
  const { shared, left, right } = termOverlap(a, b);
  return shared === 0 ? 0 : shared / (left + right - shared);
}

function termCosine(a: RankedSentence, b: RankedSentence): number {
  const { shared, left, right } = termOverlap(a, b);
  return shared === 0 ? 0 : shared / Math.sqrt(left * right);
}

/** Distinct terms shared by two sentences, and each one's count of distinct terms. */
function termOverlap(a: RankedSentence, b: RankedSentence): { shared: number; left: number; right: number } {
  const left = new Set(a.terms);
  const right = new Set(b.terms);
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  return { shared, left: left.size, right: right.size };
}
