/**
 * Turns extracted text (lines wrapped by the layout, figure labels, table cells) into prose paragraphs that a
 * sentence splitter can read.
 */

/** Stands in for the period of an abbreviation, so the sentence splitter does not end a sentence at "Fig. 3". */
const ABBREVIATION_PERIOD = '\u2024';
const ABBREVIATIONS = /\b(Figs?|Eqs?|Eqns?|Secs?|Tabs?|Refs?|Thms?|Defs?|Props?|Algs?|Apps?|Ch|Vol|Proc|approx|resp|cf|vs|et al)\.(?=\s*[\p{L}\p{N}([])/gu;
const NUMBER_ABBREVIATION = /\b(No|Nos|pp)\.(?=\s*\d)/g;

/** "Figure 3:", "Table 2.", "Fig. 4.", "Algorithm 1:" opening a caption, as opposed to "Table 2 shows …". */
const CAPTION_LABEL = /^(fig(ure)?|tab(le)?|alg(orithm)?|listing)\.?\s*[\dIVX]+[a-z]?\s*[.:|]|^(left|right|top|bottom|middle)\b[^.]{0,20}:/i;

/** A block with fewer words than this and no sentence end is a label, a caption fragment or a table cell. */
const MIN_BLOCK_WORDS = 6;
/** A line much shorter than the block's usual line, without a sentence end, closes a paragraph or is a heading. */
const SHORT_LINE_RATIO = 0.6;

export function withoutLines(text: string, lines: ReadonlySet<string>): string {
  if (lines.size === 0) return text;
  return text
    .split('\n')
    .filter((line) => !lines.has(line.trim()))
    .join('\n');
}

/** Whether the text opens like a figure, table or algorithm caption. */
export function isCaption(text: string): boolean {
  return CAPTION_LABEL.test(text);
}

/** Whitespace runs become one space; control and invisible format characters go. */
export function collapseWhitespace(text: string): string {
  return text
    .replace(/\p{Cf}/gu, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

export function protectAbbreviations(text: string): string {
  return text.replace(ABBREVIATIONS, `$1${ABBREVIATION_PERIOD}`).replace(NUMBER_ABBREVIATION, `$1${ABBREVIATION_PERIOD}`);
}

export function restoreAbbreviations(text: string): string {
  return text.replaceAll(ABBREVIATION_PERIOD, '.');
}

/**
 * The paragraphs of a stretch of text, each on one line, without blocks that are not prose. Captions go whole: the
 * sentence splitter would cut "Figure 1. Training error …" after its label and leave the rest looking like prose.
 */
export function proseParagraphs(text: string): string[] {
  const paragraphs: string[] = [];
  for (const block of text.split(/\n[^\S\n]*\n/)) {
    const lines = block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /\p{L}.*\p{L}/u.test(line));
    if (lines.length === 0 || !isProseBlock(lines)) continue;
    for (const paragraph of joinWrappedLines(lines)) {
      const clean = collapseWhitespace(paragraph);
      if (clean !== '' && !isCaption(clean)) paragraphs.push(clean);
    }
  }
  return paragraphs;
}

function isProseBlock(lines: readonly string[]): boolean {
  const words = lines.reduce((count, line) => count + line.split(/\s+/).length, 0);
  return words >= MIN_BLOCK_WORDS || /[.!?。！？]["”’)]?$/.test(lines[lines.length - 1]);
}

/** Joins lines wrapped by the layout, undoing end-of-line hyphenation, and splits where a short line ends a paragraph. */
function joinWrappedLines(lines: readonly string[]): string[] {
  const shortLine = SHORT_LINE_RATIO * medianLength(lines);
  const paragraphs: string[] = [];
  let current = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    current = appendLine(current, line);
    const next = lines[index + 1];
    if (next !== undefined && endsParagraph(line, next, shortLine)) {
      paragraphs.push(current);
      current = '';
    }
  }
  if (current !== '') paragraphs.push(current);
  return paragraphs;
}

function appendLine(paragraph: string, line: string): string {
  if (paragraph === '') return line;
  if (/\p{L}-$/u.test(paragraph) && /^\p{Ll}/u.test(line)) return paragraph.slice(0, -1) + line;
  return `${paragraph} ${line}`;
}

/** A short line followed by a capitalised one ends a paragraph, or is a list item or heading left in the text. */
function endsParagraph(line: string, next: string, shortLine: number): boolean {
  return line.length < shortLine && /^\p{Lu}/u.test(next) && !/[,;:–-]$/.test(line);
}

function medianLength(lines: readonly string[]): number {
  const lengths = lines.map((line) => line.length).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)];
}
