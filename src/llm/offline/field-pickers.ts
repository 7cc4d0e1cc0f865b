import { SectionKind } from '../../papers/section-detector';
import {
  findingCueScore,
  hasStrongLimitationCue,
  limitationCueScore,
  mentionsApproach,
  methodCueScore,
  outlinesPaper,
  resultCueScore,
} from './cue-phrases';
import { RankedSentence } from './ranked-sentences';
import { byScore, inReadingOrder, pickDistinct, ScoredSentence } from './sentence-picking';
import { citesOthers } from './sentence-quality';
import { centrality, citationFactor, KindWeights, kindWeights } from './sentence-weights';

const FINDINGS = { min: 3, max: 6, maxSentenceChars: 400, weakShareOfBest: 0.35 } as const;
const DESCRIPTION = { maxSentences: 2, maxChars: 600, secondShareOfBest: 0.6 } as const;
const MAX_LIMITATIONS = 4;
/** Two cue points make a limitation: one strong cue, or two weak ones ("however … only"). */
const LIMITATION_THRESHOLD = 2;
/** One strong cue ("we find", "results show") or two weaker ones make a sentence state a finding. */
const FINDING_THRESHOLD = 1.5;
/** A "we …" statement or "our method" says how the work was done; a bare "model" or "loss" does not. */
const METHOD_STATEMENT_THRESHOLD = 2;
/** A number with a metric, or a percentage, makes a sentence report a result. */
const RESULT_THRESHOLD = 1.5;
/** A sentence reporting numbers describes a result more than the method. */
const REPORTS_RESULT_PENALTY = 0.5;

/** In the introduction or the method a limitation is the paper's own only when the paper speaks of itself. */
const SELF_REFERENCE = /\b(we|our|this (work|paper|study))\b/i;
/** Limitations of other people's methods, as the paper describes them. */
const ABOUT_OTHERS = /\b(they|their|existing|previous|prior)\b/i;

const FINDING_WEIGHT = kindWeights({ results: 1.5, conclusion: 1.6, discussion: 1.3, abstract: 1.3, introduction: 0.9, method: 0.6, related: 0.2 });
const METHOD_WEIGHT = kindWeights({ method: 1.5, abstract: 1.2, results: 0.6, discussion: 0.6, conclusion: 0.8, related: 0.2, other: 0.8 });
const RESULT_WEIGHT = kindWeights({ results: 1.5, conclusion: 1.1, abstract: 1.1, introduction: 0.7, method: 0.5, related: 0.2 });
const LIMITATION_WEIGHT = kindWeights({ discussion: 1.5, conclusion: 1.4, abstract: 0.8, method: 0.8, introduction: 0.6 });
const SELF_REFERENCE_REQUIRED: ReadonlySet<SectionKind> = new Set(['introduction', 'method']);

/** 3 to 6 sentences stating findings, from results and conclusions first, apart from the summary where possible. */
export function pickKeyFindings(sentences: readonly RankedSentence[], summary: readonly RankedSentence[]): RankedSentence[] {
  const short = sentences.filter((sentence) => sentence.text.length <= FINDINGS.maxSentenceChars);
  const stated = byScore(short.map((sentence) => ({ sentence, score: findingScore(sentence) })).filter(({ score }) => score > 0));
  const clearlyStated = stated.filter(({ sentence }) => findingCueScore(sentence.text) >= FINDING_THRESHOLD);
  const best = clearlyStated[0]?.score ?? 0;
  const strong = clearlyStated.filter(({ score }, position) => position < FINDINGS.min || score >= FINDINGS.weakShareOfBest * best);
  let picked = pickDistinct(strong, { max: FINDINGS.max, avoid: summary });
  if (picked.length < FINDINGS.min) picked = pickDistinct(stated, { max: FINDINGS.min }, picked);
  if (picked.length < FINDINGS.min) picked = pickDistinct(byCentrality(short, FINDING_WEIGHT), { max: FINDINGS.min }, picked);
  return inReadingOrder(picked);
}

/**
 * 1 or 2 sentences on how the work was done: from the method section when it says so in so many words ("we train",
 * "our approach") without leaning on others' work, else from anywhere, else the most central sentence naming an
 * approach; empty if none.
 */
export function pickMethodology(sentences: readonly RankedSentence[]): RankedSentence[] {
  const statedInMethodSection = sentences.filter(
    (sentence) => sentence.kind === 'method' && methodCueScore(sentence.text) >= METHOD_STATEMENT_THRESHOLD && !citesOthers(sentence.text),
  );
  const fromMethodSection = pickDescription(methodDescriptions(statedInMethodSection));
  if (fromMethodSection.length > 0) return fromMethodSection;
  const picked = pickDescription(methodDescriptions(sentences));
  if (picked.length > 0) return picked;
  return pickDescription(byCentrality(sentences.filter((sentence) => mentionsApproach(sentence.text)), METHOD_WEIGHT));
}

function methodDescriptions(sentences: readonly RankedSentence[]): ScoredSentence[] {
  return byScore(
    sentences
      .map((sentence) => ({
        sentence,
        score:
          methodCueScore(sentence.text) *
          METHOD_WEIGHT[sentence.kind] *
          centrality(sentence) *
          citationFactor(sentence) *
          (resultCueScore(sentence.text) >= RESULT_THRESHOLD ? REPORTS_RESULT_PENALTY : 1),
      }))
      .filter(({ score }) => score > 0),
  );
}

/** 1 or 2 sentences reporting results, preferring the experiments' own sections; empty if none. */
export function pickResults(sentences: readonly RankedSentence[], avoid: readonly RankedSentence[]): RankedSentence[] {
  const reported = sentences
    .map((sentence) => ({ sentence, cue: resultCueScore(sentence.text) }))
    .filter(({ sentence, cue }) => cue >= RESULT_THRESHOLD || (cue > 0 && sentence.kind === 'results'))
    .map(({ sentence, cue }) => ({ sentence, score: cue * RESULT_WEIGHT[sentence.kind] * centrality(sentence) * citationFactor(sentence) }));
  return pickDescription(byScore(reported), avoid);
}

/** Up to 4 sentences in which the paper states its own limitations; none if it states none. */
export function pickLimitations(sentences: readonly RankedSentence[]): RankedSentence[] {
  const admitted = sentences
    .filter(isOwnLimitation)
    .map((sentence) => ({ sentence, score: limitationScore(sentence) * LIMITATION_WEIGHT[sentence.kind] * centrality(sentence) }));
  return inReadingOrder(pickDistinct(byScore(admitted), { max: MAX_LIMITATIONS }));
}

/** Under a "Limitations" heading every sentence is one, whatever its wording. */
function limitationScore(sentence: RankedSentence): number {
  const cues = limitationCueScore(sentence.text);
  return isUnderLimitationsHeading(sentence) ? Math.max(cues, LIMITATION_THRESHOLD) : cues;
}

function isUnderLimitationsHeading(sentence: RankedSentence): boolean {
  return /limitation/i.test(sentence.heading);
}

function isOwnLimitation(sentence: RankedSentence): boolean {
  if (citesOthers(sentence.text) || outlinesPaper(sentence.text)) return false;
  if (ABOUT_OTHERS.test(sentence.text) && !SELF_REFERENCE.test(sentence.text)) return false;
  if (isUnderLimitationsHeading(sentence)) return true;
  if (limitationCueScore(sentence.text) < LIMITATION_THRESHOLD) return false;
  if (SELF_REFERENCE_REQUIRED.has(sentence.kind)) return hasStrongLimitationCue(sentence.text) && SELF_REFERENCE.test(sentence.text);
  return sentence.kind !== 'related';
}

function findingScore(sentence: RankedSentence): number {
  return findingCueScore(sentence.text) * FINDING_WEIGHT[sentence.kind] * centrality(sentence) * citationFactor(sentence);
}

/** The best sentence, and the next best too when nearly as good and short enough to go with it. */
function pickDescription(ranked: readonly ScoredSentence[], avoid: readonly RankedSentence[] = []): RankedSentence[] {
  const [first] = pickDistinct(ranked, { max: 1, maxChars: DESCRIPTION.maxChars, avoid });
  if (!first) return [];
  const best = ranked.find(({ sentence }) => sentence === first)?.score ?? 0;
  const closeEnough = ranked.filter(({ score }) => score >= DESCRIPTION.secondShareOfBest * best);
  return inReadingOrder(pickDistinct(closeEnough, { max: DESCRIPTION.maxSentences, maxChars: DESCRIPTION.maxChars, avoid }, [first]));
}

function byCentrality(sentences: readonly RankedSentence[], weights: KindWeights): ScoredSentence[] {
  return byScore(sentences.map((sentence) => ({ sentence, score: centrality(sentence) * weights[sentence.kind] })));
}
