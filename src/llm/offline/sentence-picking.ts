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
  let chars = picked.reduce((total, sentence) => total + sentence.text.length + 1, 0);
  for (const { sentence } of ranked) {
    if (picked.length >= limits.max) break;
    if (limits.maxChars !== undefined && chars + sentence.text.length > limits.maxChars) continue;
    if ([...picked, ...(limits.avoid ?? [])].some((other) => repeats(sentence, other))) continue;
    picked.push(sentence);
    chars += sentence.text.length + 1;
  }
  return picked;
}

export function joinSentences(sentences: readonly RankedSentence[]): string {
  return inReadingOrder(sentences)
    .map((sentence) => sentence.text)
    .join(' ');
}

function repeats(sentence: RankedSentence, other: RankedSentence): boolean {
  return sentence.index === other.index || sentence.text === other.text || termJaccard(sentence, other) >= DUPLICATE_SIMILARITY;
}

function termJaccard(a: RankedSentence, b: RankedSentence): number {
  const left = new Set(a.terms);
  const right = new Set(b.terms);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  return shared / (left.size + right.size - shared);
}
