import { SectionKind } from '../../papers/section-detector';
import { PaperSentence } from './paper-sentences';
import { textRank } from './sentence-ranker';

export interface RankedSentence extends PaperSentence {
  /** TextRank centrality scaled so the most central sentence has 1; 0 for sentences left out of the graph. */
  rank: number;
}

/** TextRank is quadratic: past this many sentences only the likeliest by section, position and length take part. */
const MAX_GRAPH_SENTENCES = 400;

const KIND_PRIOR: Record<SectionKind, number> = {
  abstract: 2,
  introduction: 1.2,
  related: 0.6,
  method: 1,
  results: 1.1,
  discussion: 1.1,
  conclusion: 1.3,
  other: 0.9,
  references: 0,
  appendix: 0,
  acknowledgements: 0,
};
const SECTION_OPENING_SENTENCES = 3;
const SECTION_OPENING_PRIOR = 1.3;
const GOOD_LENGTH = { min: 60, max: 300 } as const;
const OFF_LENGTH_PRIOR = 0.7;

/** The sentences in their original order, each with its TextRank centrality among them. */
export function rankSentences(sentences: readonly PaperSentence[]): RankedSentence[] {
  const inGraph = graphSentences(sentences);
  const scores = textRank(inGraph.map((sentence) => sentence.terms));
  const top = Math.max(...scores, Number.MIN_VALUE);
  const rankByIndex = new Map(inGraph.map((sentence, position) => [sentence.index, scores[position] / top]));
  return sentences.map((sentence) => ({ ...sentence, rank: rankByIndex.get(sentence.index) ?? 0 }));
}

function graphSentences(sentences: readonly PaperSentence[]): PaperSentence[] {
  if (sentences.length <= MAX_GRAPH_SENTENCES) return [...sentences];
  return [...sentences]
    .sort((a, b) => prior(b) - prior(a) || a.index - b.index)
    .slice(0, MAX_GRAPH_SENTENCES)
    .sort((a, b) => a.index - b.index);
}

function prior(sentence: PaperSentence): number {
  const position = sentence.ordinal < SECTION_OPENING_SENTENCES ? SECTION_OPENING_PRIOR : 1;
  const length = sentence.text.length;
  const lengthPrior = length >= GOOD_LENGTH.min && length <= GOOD_LENGTH.max ? 1 : OFF_LENGTH_PRIOR;
  return KIND_PRIOR[sentence.kind] * position * lengthPrior;
}
