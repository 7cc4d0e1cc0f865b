import { readFile } from 'node:fs/promises';
import { normaliseText } from '../src/analysis/paper-content';
import { PdfTextExtractor } from '../src/papers/pdf/pdf-text-extractor';
import { detectSections } from '../src/papers/section-detector';
import { HeadingScore, scoreHeadings } from './heading-match';
import { expectedSections, PaperFile } from './paper-files';
import { compareSummaries, SummaryComparison } from './summary-comparison';

export interface PaperEvaluation {
  stem: string;
  pages: number;
  characters: number;
  extractionMs: number;
  /** Undefined when the paper has no hand-written headings yet. */
  sections?: HeadingScore;
  /** Undefined when no abstract was found to score against. */
  summary?: SummaryComparison;
}

/** Extracts one paper as an upload would be, then scores section detection and the offline summary on its text. */
export async function evaluatePaper(paper: PaperFile, extractor: PdfTextExtractor): Promise<PaperEvaluation> {
  const bytes = new Uint8Array(await readFile(paper.path));
  const started = performance.now();
  const extracted = await extractor.extract(bytes);
  const extractionMs = performance.now() - started;
  // The service analyses the normalised text, not the extractor's output as such.
  const text = normaliseText(extracted.text);
  const expected = expectedSections(paper.stem);
  const found = detectSections(text).map((section) => section.name);
  return {
    stem: paper.stem,
    pages: extracted.pages,
    characters: text.length,
    extractionMs,
    sections: expected && scoreHeadings(found, expected.headings),
    summary: compareSummaries(text),
  };
}
