import { PaperDocument } from '../analysis';
import { repairSmallCaps, sectionKind } from '../../papers/section-detector';
import { collapseWhitespace } from './prose-text';

const MAX_TITLE_CHARS = 200;
/** A title is among the first few lines; past them come authors, affiliations and the abstract. */
const TITLE_SEARCH_LINES = 4;
const FALLBACK_TITLE_WORDS = 12;
const UNTITLED = 'Untitled';

/** Lines above a title in extracted text: venue notes, arXiv stamps, page numbers, links. */
const NOT_A_TITLE =
  /^(published|accepted|preprint|under review|to appear|proceedings|in proceedings|journal|vol\.|volume|copyright|©|doi|arxiv)|https?:|www\.|@|\[cs\.|^\d+$/i;

/** The document's title as given, else the paper's first short standalone line, else its first words. */
export function guessTitle(document: PaperDocument, firstSentence: string | undefined): string {
  const given = collapseWhitespace(document.title ?? '');
  if (given !== '') return given;
  return titleLine(document.text ?? '') ?? firstWords(firstSentence || document.abstract || document.text || '');
}

function titleLine(text: string): string | undefined {
  const lines = text.split('\n', 200).map((line) => line.trim());
  let seen = 0;
  for (let index = 0; index < lines.length && seen < TITLE_SEARCH_LINES; index++) {
    const line = lines[index];
    if (line === '') continue;
    seen++;
    if (NOT_A_TITLE.test(line)) continue;
    if (!looksLikeTitle(line, lines[index + 1] ?? '')) return undefined;
    return collapseWhitespace(repairSmallCaps(withContinuation(line, lines[index + 1] ?? '')));
  }
  return undefined;
}

/** Short, capitalised, not a sentence, not a section heading, and not the first line of a wrapped paragraph. */
function looksLikeTitle(line: string, next: string): boolean {
  if (line.length < 3 || line.length > MAX_TITLE_CHARS) return false;
  if (!/^[\p{Lu}\p{N}]/u.test(line) || /[.,;]$/.test(line) || /\p{L}[.!?]\s+\p{Lu}/u.test(line)) return false;
  return !isHeading(line) && !/^\p{Ll}/u.test(next);
}

function isHeading(line: string): boolean {
  return sectionKind(line) !== 'other' && line.split(/\s+/).length <= 4;
}

/** A title in capitals set on two lines continues on the next line in capitals. */
function withContinuation(line: string, next: string): string {
  const allCaps = (value: string): boolean => /\p{Lu}{3}/u.test(value) && !/\p{Ll}/u.test(value);
  const joinable = allCaps(line) && allCaps(next) && !opensSection(next);
  return joinable && line.length + next.length < MAX_TITLE_CHARS ? `${line} ${next}` : line;
}

/** "ABSTRACT", "1 INTRODUCTION": the line after the title that starts the paper proper. */
function opensSection(line: string): boolean {
  return /^\d/.test(line) || sectionKind(line.split(/\s+/)[0]) !== 'other';
}

function firstWords(text: string): string {
  const words = collapseWhitespace(text).split(' ').slice(0, FALLBACK_TITLE_WORDS).join(' ');
  const title = words.replace(/[\s.,;:!?]+$/, '');
  return title === '' ? UNTITLED : title;
}
