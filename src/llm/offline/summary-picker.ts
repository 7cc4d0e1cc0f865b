import { contributionCueScore, outlinesPaper } from './cue-phrases';
import { RankedSentence } from './ranked-sentences';
import { inReadingOrder, pickDiverse } from './sentence-picking';
import { kindWeights, styleFactor } from './sentence-weights';

const SUMMARY = { min: 3, max: 5, maxChars: 1200, minSentenceChars: 60, maxSentenceChars: 350 } as const;

/** Where papers say what they do: the introduction states the problem and contributions, the conclusion sums up. */
const SECTION_WEIGHT = kindWeights({ introduction: 1.2, related: 0.4, method: 0.8, results: 0.8, discussion: 0.9, conclusion: 1.3, other: 0.9 });
/** A contribution cue ("we propose", "in this paper") doubles a sentence's chances; several cues add a little more. */
const CONTRIBUTION_GAIN = 0.5;
/** The introduction ends with the paper's contributions: its last sentences weigh up to this much more. */
const INTRODUCTION_END_GAIN = 0.4;
/** A section's first sentence often states its topic. */
const SECTION_OPENING_GAIN = 0.15;
/** Pointers to figures, tables and equations mean little without them. */
const POINTER = /\b(fig(ure)?s?|tab(le)?s?|eqs?|eqns?|equations?|alg(orithm)?s?|appendix)\.?\s*\(?[\dIVX]+\b/i;
const POINTER_PENALTY = 0.6;

/**
 * 3 to 5 sentences, at most ~1,200 characters, from the body unless it is too short to summarise: central
 * sentences stating what the paper does, weighted by where papers state it, with little overlap between them, and
 * no outline of the paper ("in section 2 we describe …").
 */
export function pickSummary(body: readonly RankedSentence[], abstract: readonly RankedSentence[]): RankedSentence[] {
  const pool = body.length >= SUMMARY.min ? body : [...abstract, ...body];
  const positions = positionsInSection(pool);
  const scored = pool.map((sentence) => ({ sentence, score: summaryScore(sentence, positions.get(sentence.index) ?? 0) }));
  const fitting = scored.filter(
    ({ sentence }) =>
      sentence.text.length >= SUMMARY.minSentenceChars && sentence.text.length <= SUMMARY.maxSentenceChars && !outlinesPaper(sentence.text),
  );
  const picked = pickDiverse(fitting, { max: SUMMARY.max, maxChars: SUMMARY.maxChars });
  const filled = picked.length >= SUMMARY.min ? picked : pickDiverse(scored, { max: SUMMARY.min, maxChars: SUMMARY.maxChars }, picked);
  return inReadingOrder(filled);
}

function summaryScore(sentence: RankedSentence, position: number): number {
  const cues = contributionCueScore(sentence.text);
  const contribution = 1 + CONTRIBUTION_GAIN * Math.min(cues, 4);
  const introductionEnd = sentence.kind === 'introduction' ? 1 + INTRODUCTION_END_GAIN * position : 1;
  const opening = sentence.ordinal === 0 ? 1 + SECTION_OPENING_GAIN : 1;
  const pointer = POINTER.test(sentence.text) ? POINTER_PENALTY : 1;
  return sentence.rank * SECTION_WEIGHT[sentence.kind] * contribution * introductionEnd * opening * pointer * styleFactor(sentence);
}

/** Each sentence's place in its section, from 0 (first) to 1 (last). */
function positionsInSection(sentences: readonly RankedSentence[]): Map<number, number> {
  const lastOrdinal = new Map<string, number>();
  for (const sentence of sentences) lastOrdinal.set(sentence.heading, Math.max(lastOrdinal.get(sentence.heading) ?? 0, sentence.ordinal));
  return new Map(sentences.map((sentence) => [sentence.index, sentence.ordinal / Math.max(1, lastOrdinal.get(sentence.heading) ?? 0)]));
}
