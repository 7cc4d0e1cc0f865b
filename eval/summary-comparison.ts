import { ExtractiveAnalyzer } from '../src/llm/offline/extractive-analyzer';
import { splitPaper } from '../src/llm/offline/paper-parts';
import { readSentences } from '../src/llm/offline/paper-sentences';
import { abstractAndBody } from './abstract-and-body';
import { RougeScore, rougeL, rougeN } from './rouge';

export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
}

export interface SummaryComparison {
  offline: RougeScores;
  lead3: RougeScores;
}

const LEAD_SENTENCES = 3;

/**
 * The offline analyser's summary of the body, and the body's first three sentences, each scored against the paper's
 * own abstract. Undefined when the paper has no abstract to score against.
 */
export function compareSummaries(text: string): SummaryComparison | undefined {
  const parts = abstractAndBody(text);
  if (!parts) return undefined;
  const summary = new ExtractiveAnalyzer().analyze({ id: 'eval', text: parts.body }).summary;
  return { offline: rougeScores(summary, parts.abstract), lead3: rougeScores(leadSentences(parts.body), parts.abstract) };
}

/** The baseline: the body's first sentences as the analyser reads them, whatever they say. */
function leadSentences(body: string): string {
  return readSentences(splitPaper({ id: 'eval', text: body }).body)
    .slice(0, LEAD_SENTENCES)
    .map((sentence) => sentence.text)
    .join(' ');
}

function rougeScores(summary: string, reference: string): RougeScores {
  return { rouge1: rougeN(summary, reference, 1), rouge2: rougeN(summary, reference, 2), rougeL: rougeL(summary, reference) };
}
