import { SectionKind } from '../../papers/section-detector';
import { RankedSentence } from './ranked-sentences';
import { citesOthers } from './sentence-quality';

export type KindWeights = Record<SectionKind, number>;

const CITATION_PENALTY = 0.5;
const BACK_REFERENCE_PENALTY = 0.75;

/** Sentences opening with these lean on the one before and read badly out of context ("this paper" does not). */
const BACK_REFERENCE =
  /^((in )?(this|these|those|such)\b(?! (paper|work|report|article|study|thesis)\b)|(it|they|however|thus|therefore|hence|moreover|furthermore|also|in addition|in contrast|similarly|finally|then|here|for (example|instance))\b)/i;

/** Weights by section kind, 1 unless given; never any for back matter, which the analyser does not read anyway. */
export function kindWeights(weights: Partial<KindWeights>): KindWeights {
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

/** Centrality helps choose among sentences with the same cues without ruling out those outside the graph. */
export function centrality(sentence: RankedSentence): number {
  return 0.5 + sentence.rank;
}

export function citationFactor(sentence: RankedSentence): number {
  return citesOthers(sentence.text) ? CITATION_PENALTY : 1;
}

/** Sentences citing others or leaning on the sentence before make poor quotes out of context. */
export function styleFactor(sentence: RankedSentence): number {
  return citationFactor(sentence) * (BACK_REFERENCE.test(sentence.text) ? BACK_REFERENCE_PENALTY : 1);
}
