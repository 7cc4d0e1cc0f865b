import { SectionKind } from '../../papers/section-detector';
import {
  findingCueScore,
  hasStrongLimitationCue,
  limitationCueScore,
  mentionsApproach,
  methodCueScore,
  resultCueScore,
} from './cue-phrases';
import { RankedSentence } from './ranked-sentences';
import { byScore, inReadingOrder, pickDistinct, ScoredSentence } from './sentence-picking';
import { citesOthers } from './sentence-quality';

type KindWeights = Record<SectionKind, number>;

const SUMMARY = { min: 3, max: 5, maxChars: 1200, minSentenceChars: 60, maxSentenceChars: 350 } as const;
const FINDINGS = { min: 3, max: 6, maxSentenceChars: 400, weakShareOfBest: 0.35 } as const;
const DESCRIPTION = { maxSentences: 2, maxChars: 600, secondShareOfBest: 0.6 } as const;
const MAX_LIMITATIONS = 4;
/** Two cue points make a limitation: one strong cue, or two weak ones ("however … only"). */
const LIMITATION_THRESHOLD = 2;
/** A number with a metric, or a percentage, makes a sentence report a result. */
const RESULT_THRESHOLD = 1.5;
const CITATION_PENALTY = 0.5;
const BACK_REFERENCE_PENALTY = 0.75;
/** A sentence reporting numbers describes a result more than the method. */
const REPORTS_RESULT_PENALTY = 0.5;

/** Sentences opening with these lean on the one before and read badly out of context. */
const BACK_REFERENCE =
  /^(this|these|those|it|they|such|however|thus|therefore|hence|moreover|furthermore|also|in addition|in contrast|similarly|finally|then|here|for (example|instance))\b/i;
/** In the introduction or the method a limitation is the paper's own only when the paper speaks of itself. */
const SELF_REFERENCE = /\b(we|our|this (work|paper|study))\b/i;
/** Limitations of other people's methods, as the paper describes them. */
const ABOUT_OTHERS = /\b(they|their|existing|previous|prior)\b/i;
/** "Section 4 concludes with future work": an outline of the paper, not a limitation. */
const OUTLINE = /\b(section|sec\.)\s*\d/i;

const SUMMARY_WEIGHT = kindWeights({ introduction: 1.1, related: 0.4, method: 0.9, discussion: 0.9, conclusion: 1.2, other: 0.9 });
const FINDING_WEIGHT = kindWeights({ results: 1.5, conclusion: 1.6, discussion: 1.3, abstract: 1.3, introduction: 0.9, method: 0.6, related: 0.2 });
const METHOD_WEIGHT = kindWeights({ method: 1.5, abstract: 1.2, results: 0.6, discussion: 0.6, conclusion: 0.8, related: 0.2, other: 0.8 });
const RESULT_WEIGHT = kindWeights({ results: 1.5, conclusion: 1.1, abstract: 1.1, introduction: 0.7, method: 0.5, related: 0.2 });
const LIMITATION_WEIGHT = kindWeights({ discussion: 1.5, conclusion: 1.4, abstract: 0.8, method: 0.8, introduction: 0.6 });
const SELF_REFERENCE_REQUIRED: ReadonlySet<SectionKind> = new Set(['introduction', 'method']);

/** 3 to 5 central sentences, at most ~1,200 characters; from the body unless it is too short to summarise. */
export function pickSummary(body: readonly RankedSentence[], abstract: readonly RankedSentence[]): RankedSentence[] {
  const pool = body.length >= SUMMARY.min ? body : [...abstract, ...body];
  const scored = pool.map((sentence) => ({ sentence, score: sentence.rank * SUMMARY_WEIGHT[sentence.kind] * styleFactor(sentence) }));
  const fitting = scored.filter(
    ({ sentence }) => sentence.text.length >= SUMMARY.minSentenceChars && sentence.text.length <= SUMMARY.maxSentenceChars,
  );
  const picked = pickDistinct(byScore(fitting), { max: SUMMARY.max, maxChars: SUMMARY.maxChars });
  const filled = picked.length >= SUMMARY.min ? picked : pickDistinct(byScore(scored), { max: SUMMARY.min, maxChars: SUMMARY.maxChars }, picked);
  return inReadingOrder(filled);
}

/** 3 to 6 sentences stating findings, from results and conclusions first, apart from the summary where possible. */
export function pickKeyFindings(sentences: readonly RankedSentence[], summary: readonly RankedSentence[]): RankedSentence[] {
  const short = sentences.filter((sentence) => sentence.text.length <= FINDINGS.maxSentenceChars);
  const stated = byScore(short.map((sentence) => ({ sentence, score: findingScore(sentence) })).filter(({ score }) => score > 0));
  const best = stated[0]?.score ?? 0;
  const strong = stated.filter(({ score }, position) => position < FINDINGS.min || score >= FINDINGS.weakShareOfBest * best);
  let picked = pickDistinct(strong, { max: FINDINGS.max, avoid: summary });
  if (picked.length < FINDINGS.min) picked = pickDistinct(stated, { max: FINDINGS.min }, picked);
  if (picked.length < FINDINGS.min) picked = pickDistinct(byCentrality(short, FINDING_WEIGHT), { max: FINDINGS.min }, picked);
  return inReadingOrder(picked);
}

/** 1 or 2 sentences on how the work was done, or the most central sentence naming an approach; empty if none. */
export function pickMethodology(sentences: readonly RankedSentence[]): RankedSentence[] {
  const described = byScore(
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
  const picked = pickDescription(described);
  if (picked.length > 0) return picked;
  return pickDescription(byCentrality(sentences.filter((sentence) => mentionsApproach(sentence.text)), METHOD_WEIGHT));
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
  if (citesOthers(sentence.text) || OUTLINE.test(sentence.text)) return false;
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

/** Centrality helps choose among sentences with the same cues without ruling out those outside the graph. */
function centrality(sentence: RankedSentence): number {
  return 0.5 + sentence.rank;
}

function citationFactor(sentence: RankedSentence): number {
  return citesOthers(sentence.text) ? CITATION_PENALTY : 1;
}

function styleFactor(sentence: RankedSentence): number {
  return citationFactor(sentence) * (BACK_REFERENCE.test(sentence.text) ? BACK_REFERENCE_PENALTY : 1);
}

/** Weights by section kind, 1 unless given; never any for back matter, which the analyser does not read anyway. */
function kindWeights(weights: Partial<KindWeights>): KindWeights {
  return {
    abstract: 1,
    introduction: 1,
    related: 1,
    method: 1,
    results: 1,
    discussion: 1,
    conclusion: 1,
    other: 1,
    references: 0,
    appendix: 0,
    acknowledgements: 0,
    ...weights,
  };
}
