import { packByTokens, withinBudget } from '../batching/token-packer';
import { outlinePaper } from './paper-outline';

type CountTokens = (text: string) => number;

/** Finer and finer places to cut a stretch of text that is too long: paragraphs, then lines, then words. */
const SEPARATORS = ['\n\n', '\n', ' '] as const;

/**
 * Cuts a paper's text into parts of at most `maxTokens`, along its sections: whole sections are kept
 * together while they fit, and only a section too long on its own is cut, at paragraph ends if it can be.
 */
export function splitAlongSections(text: string, maxTokens: number, countTokens: CountTokens): string[] {
  const pieces = sectionTexts(text).flatMap((section) => fitted(section, maxTokens, countTokens, 0));
  return joinWithin(pieces, maxTokens, countTokens, '\n\n');
}

function sectionTexts(text: string): string[] {
  const starts = [0, ...outlinePaper(text).map((section) => section.start)];
  return starts
    .map((start, index) => text.slice(start, starts[index + 1] ?? text.length).trim())
    .filter((section) => section !== '');
}

/** The text as pieces of at most `maxTokens`, cut at the coarsest separator that makes them fit. */
function fitted(text: string, maxTokens: number, countTokens: CountTokens, level: number): string[] {
  if (countTokens(text) <= maxTokens) return [text];
  const separator = SEPARATORS[level];
  if (separator === undefined) return halves(text).flatMap((half) => fitted(half, maxTokens, countTokens, level));
  const pieces = text.split(separator).filter((piece) => piece.trim() !== '');
  const finer = pieces.flatMap((piece) => fitted(piece, maxTokens, countTokens, level + 1));
  return joinWithin(finer, maxTokens, countTokens, separator);
}

/** Runs of pieces joined while they fit; the separator's own tokens are left to the slack in the budget. */
function joinWithin(pieces: readonly string[], maxTokens: number, countTokens: CountTokens, separator: string): string[] {
  const weighed = pieces.map((piece) => ({ item: piece, tokens: countTokens(piece) }));
  return packByTokens(weighed, withinBudget(maxTokens)).map((group) => group.join(separator));
}

/** A single word longer than the budget (a run of symbols, say) is cut in the middle. */
function halves(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}
