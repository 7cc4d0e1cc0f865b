import { PaperSection } from '../llm/analysis';

export type SectionKind =
  | 'abstract'
  | 'introduction'
  | 'related'
  | 'method'
  | 'results'
  | 'discussion'
  | 'conclusion'
  | 'references'
  | 'appendix'
  | 'acknowledgements'
  | 'other';

/** The first word of a heading that matches one of these decides its kind ("Results and Discussion" is results). */
const KIND_BY_WORD: ReadonlyArray<readonly [SectionKind, RegExp]> = [
  ['abstract', /^abstract$/],
  ['introduction', /^(introduction|overview|motivation)$/],
  ['related', /^(related|background|preliminaries|preliminary|literature|prior)$/],
  [
    'method',
    /^(methods?|methodology|approach(es)?|models?|modell?ing|algorithms?|architectures?|framework|implementation|training|materials|formulation|design)$/,
  ],
  [
    'results',
    /^(experiments?|experimental|results?|evaluations?|analys[ie]s|ablations?|benchmarks?|findings|empirical|performance|setup)$/,
  ],
  ['discussion', /^(discussions?|limitations?)$/],
  ['conclusion', /^(conclusions?|concluding|summary|future)$/],
  ['acknowledgements', /^acknowledge?ments?$/],
  ['references', /^(references|bibliography)$/],
  ['appendix', /^(appendix|appendices|supplementary|supplemental)$/],
];

/** Words that may accompany the kind words in an unnumbered heading such as "Conclusions and Future Work". */
const HEADING_FILLER_WORDS = new Set([
  'and', 'of', 'the', 'for', 'on', 'in', 'with', 'our', 'a', 'work', 'works', 'remarks', 'proposed', 'settings',
  'setting', 'details', 'data', 'dataset', 'datasets', 'study', 'studies', 'main', 'outlook', 'problem', 'statement',
  'notation', 'material', 'additional', 'further', 'general', 'cited', 'previous', 'review', '&',
]);

/** Unnumbered headings a paper with numbered sections usually leaves unnumbered. */
const USUALLY_UNNUMBERED: ReadonlySet<SectionKind> = new Set(['abstract', 'acknowledgements', 'references', 'appendix']);

/** Words that start sentences or list items, hardly ever a section title. */
const SENTENCE_OPENERS = new Set([
  'we', 'it', 'they', 'he', 'she', 'this', 'these', 'those', 'there', 'here', 'if', 'when', 'then', 'let', 'note',
  'since', 'as', 'in', 'thus', 'hence', 'however', 'where', 'which', 'see',
]);

const MAX_HEADING_LINE = 120;
const MAX_TITLE_CHARS = 80;
const MAX_TITLE_WORDS = 12;
const MAX_UNNUMBERED_WORDS = 6;
/** A line this long is part of a paragraph, not a label next to a figure or table. */
const MIN_PARAGRAPH_LINE = 40;
const RUNNING_LINE_REPEATS = 3;
const MAX_STANDALONE_WORDS = 8;
const CAPTION_START = /^(fig(ure)?|table|algorithm|listing)\b/i;
/** A numbered heading may skip one number (a heading lost by text extraction) but not jump further. */
const MAX_NUMBER_STEP = 2;

interface Line {
  /** Trimmed text of the line. */
  text: string;
  /** Offset of the line's first non-blank character in the paper's text. */
  start: number;
  /** The line opens a new page (form feed), as text extracted from a PDF marks it. */
  afterPageBreak: boolean;
}

interface Candidate {
  name: string;
  start: number;
  /** Numbered, or marked up as a heading: evidence of its own, unlike a bare "Results" line. */
  explicit: boolean;
}

type NumberingScheme = 'arabic' | 'roman' | 'letter';

interface Numbering {
  scheme: NumberingScheme;
  /** Top-level value: 2 for "2.1", 3 for "III", 1 for "A". */
  value: number;
  depth: number;
  label: string;
}

/** Which numbers may come next, so list items and table rows that merely start with a number are left out. */
class NumberingState {
  private arabic = 0;
  private roman = 0;
  private letter = 0;
  /** Top-level arabic headings seen, as "3 Method" may come after "3.1 …" when extraction reorders columns. */
  private readonly arabicTopLevels = new Set<number>();

  fits(numbering: Numbering): boolean {
    return this.fitsWithin(numbering, MAX_NUMBER_STEP);
  }

  isNext(numbering: Numbering): boolean {
    return this.fitsWithin(numbering, 1);
  }

  commit(numbering: Numbering): void {
    if (numbering.scheme === 'arabic' && numbering.depth === 1) this.arabicTopLevels.add(numbering.value);
    if (numbering.scheme === 'letter') {
      this.letter = numbering.value;
      return;
    }
    if (numbering.scheme === 'arabic') this.arabic = numbering.value;
    else this.roman = numbering.value;
    if (numbering.depth === 1) this.letter = 0;
  }

  /** An unnumbered top-level heading such as "References" starts a fresh run of lettered appendices. */
  resetLetters(): void {
    this.letter = 0;
  }

  private fitsWithin(numbering: Numbering, maxStep: number): boolean {
    const last = this.lastOf(numbering.scheme);
    const value = numbering.value;
    if (numbering.scheme === 'arabic' && numbering.depth > 1) return value >= Math.max(last, 1) && value <= last + maxStep;
    const isFirstTopLevelOfCurrent =
      numbering.scheme === 'arabic' && value === last && value > 0 && !this.arabicTopLevels.has(value);
    return isFirstTopLevelOfCurrent || (value > last && value <= last + maxStep);
  }

  private lastOf(scheme: NumberingScheme): number {
    if (scheme === 'arabic') return this.arabic;
    return scheme === 'roman' ? this.roman : this.letter;
  }
}

/** Classifies a heading by its words, ignoring any numbering. */
export function sectionKind(name: string): SectionKind {
  const words = headingWords(stripNumbering(name));
  if (/\b(literature|works) cited\b/.test(words.join(' '))) return 'references';
  for (const word of words) {
    const rule = KIND_BY_WORD.find(([, pattern]) => pattern.test(word));
    if (rule) return rule[0];
  }
  return 'other';
}

/**
 * The sections of a paper's plain text, found from its headings, in text order. Each runs from its heading to the
 * next heading (subsections are entries of their own), the last one to the end of the text.
 */
export function detectSections(text: string): PaperSection[] {
  const candidates = findHeadingCandidates(splitLines(text));
  const headings = dropUnnumberedBodyHeadingsIfNumbered(candidates);
  return headings.map((heading, index) => ({
    name: heading.name,
    start: heading.start,
    end: index + 1 < headings.length ? headings[index + 1].start : text.length,
  }));
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const raw = text.slice(lineStart, lineEnd);
    const leading = raw.length - raw.trimStart().length;
    lines.push({ text: raw.trim(), start: lineStart + leading, afterPageBreak: raw.startsWith('\f') });
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return lines;
}

function findHeadingCandidates(lines: readonly Line[]): Candidate[] {
  const state = new NumberingState();
  const repeated = repeatedLines(lines);
  const candidates: Candidate[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.text === '' || line.text.length > MAX_HEADING_LINE || repeated.has(line.text)) continue;
    const { text, markdown } = unwrapMarkup(line.text);
    const clean = repairSmallCaps(text);

    const loneNumber = parseLoneNumber(clean);
    if (loneNumber) {
      const split = splitNumberedHeading(lines, index, loneNumber, state, repeated);
      if (split) {
        state.commit(loneNumber);
        candidates.push({ name: headingName(`${loneNumber.label} ${split.title}`), start: line.start, explicit: true });
        index = split.titleIndex;
      }
      continue;
    }

    const candidate =
      numberedHeading(clean, lines, index, state, markdown) ??
      unnumberedHeading(clean, lines, index, markdown) ??
      standaloneHeading(clean, lines, index, candidates) ??
      runInHeading(clean, candidates);
    if (!candidate) continue;
    if (!candidate.explicit) state.resetLetters();
    candidates.push({ ...candidate, start: line.start });
  }
  return candidates;
}

/**
 * Short lines repeated on many pages: running heads and feet ("Published as a conference paper at …") and repeated
 * figure labels. They are never headings and belong to no paragraph. Trimmed, as they appear in the text.
 */
export function runningLines(text: string): Set<string> {
  return repeatedLines(splitLines(text));
}

function repeatedLines(lines: readonly Line[]): Set<string> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line.text.length < 2 || line.text.length > MAX_HEADING_LINE || /^[\d.]+$/.test(line.text)) continue;
    counts.set(line.text, (counts.get(line.text) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= RUNNING_LINE_REPEATS).map(([text]) => text));
}

/**
 * Text extraction sometimes puts a heading's number in a block of its own ("1", blank line, "INTRODUCTION"). Page
 * numbers look the same, so the number must be exactly the next one and the title a block of its own.
 */
function splitNumberedHeading(
  lines: readonly Line[],
  numberIndex: number,
  numbering: Numbering,
  state: NumberingState,
  repeated: ReadonlySet<string>,
): { title: string; titleIndex: number } | undefined {
  if (!state.isNext(numbering)) return undefined;
  const titleIndex = nextNonEmptyLine(lines, numberIndex + 1);
  if (titleIndex === undefined || titleIndex === numberIndex + 1) return undefined;
  const titleLine = lines[titleIndex];
  if (titleLine.afterPageBreak || repeated.has(titleLine.text)) return undefined;
  const title = repairSmallCaps(unwrapMarkup(titleLine.text).text);
  if (!isTitleLike(title) || title.includes(',')) return undefined;
  const after = titleIndex + 1 < lines.length ? lines[titleIndex + 1].text : '';
  const standsAlone = after === '' || after.length >= MIN_PARAGRAPH_LINE;
  return standsAlone ? { title, titleIndex } : undefined;
}

function nextNonEmptyLine(lines: readonly Line[], from: number): number | undefined {
  for (let index = from; index < lines.length; index++) {
    if (lines[index].text !== '') return index;
  }
  return undefined;
}

function numberedHeading(
  text: string,
  lines: readonly Line[],
  index: number,
  state: NumberingState,
  markdown: boolean,
): Omit<Candidate, 'start'> | undefined {
  const parsed = parseNumberedHeading(text, state);
  if (!parsed) return undefined;
  const title = parsed.title.replace(/[:\s]+$/, '');
  if (!isTitleLike(title) || continuesIntoNextLine(lines, index)) return undefined;
  if (!markdown && isAmongFragments(lines, index)) return undefined;
  if (!markdown && !state.fits(parsed.numbering) && !isCanonicalHeading(title)) return undefined;
  state.commit(parsed.numbering);
  return { name: headingName(`${parsed.numbering.label} ${title}`), explicit: true };
}

function unnumberedHeading(
  text: string,
  lines: readonly Line[],
  index: number,
  markdown: boolean,
): Omit<Candidate, 'start'> | undefined {
  const title = text.replace(/[.:\s]+$/, '');
  if (markdown && isTitleLike(title)) return { name: headingName(title), explicit: true };
  if (!isCanonicalHeading(title) || !isTitleLike(title)) return undefined;
  if (continuesFromPreviousLine(lines, index) || continuesIntoNextLine(lines, index)) return undefined;
  return { name: headingName(title), explicit: false };
}

/**
 * A short title-like line set apart by blank lines and followed by a paragraph of prose: how text extracted from a
 * PDF shows a heading printed on a line of its own, numbered or not ("PASCAL VOC" in an appendix). Only after the
 * first heading, so the paper's title, authors and affiliations above the abstract are not taken for headings.
 */
function standaloneHeading(
  text: string,
  lines: readonly Line[],
  index: number,
  found: readonly Candidate[],
): Omit<Candidate, 'start'> | undefined {
  if (found.length === 0 || /[.:;,]$/.test(text) || text.split(/\s+/).length > MAX_STANDALONE_WORDS) return undefined;
  if (!isTitleLike(text)) return undefined;
  const before = index > 0 ? lines[index - 1] : undefined;
  const setApart = (before === undefined || before.text === '' || lines[index].afterPageBreak) && lines[index + 1]?.text === '';
  return setApart && opensProseParagraph(lines, index + 2) ? { name: headingName(text), explicit: true } : undefined;
}

/** A paragraph of at least two lines that starts with a full-length line of a sentence, not a caption. */
function opensProseParagraph(lines: readonly Line[], index: number): boolean {
  const first = lines[index]?.text ?? '';
  const second = lines[index + 1]?.text ?? '';
  return first.length >= MIN_PARAGRAPH_LINE && second !== '' && /^\p{Lu}\p{Ll}/u.test(first) && !CAPTION_START.test(first);
}

/** Between two short lines that end no sentence, a numbered line is a figure's or table's label ("5.5 MOMENTUM"). */
function isAmongFragments(lines: readonly Line[], index: number): boolean {
  const isFragment = (line: Line | undefined): boolean =>
    line !== undefined && line.text !== '' && line.text.length < MIN_PARAGRAPH_LINE && !/[.!?:]$/.test(line.text);
  return isFragment(lines[index - 1]) && isFragment(lines[index + 1]);
}

/** "Abstract—We study …" or "Acknowledgements We thank …": the heading opens its own paragraph's line. */
function runInHeading(text: string, found: readonly Candidate[]): Omit<Candidate, 'start'> | undefined {
  const match = /^(Abstract|ABSTRACT|Acknowledge?ments?|ACKNOWLEDGE?MENTS?)(?:\s*[—–:.]\s*|\s+)(?=\p{Lu})/u.exec(text);
  if (!match) return undefined;
  const name = match[1];
  const kind = sectionKind(name);
  if (found.some((candidate) => sectionKind(candidate.name) === kind)) return undefined;
  // Rejects "Abstract Algebra"-like openings: a run-in heading is followed by a sentence, not a two-word title.
  if (text.length - match[0].length < 20) return undefined;
  return { name, explicit: false };
}

/**
 * Papers that number their sections leave only a few headings unnumbered (abstract, references …); there an
 * unnumbered "Method" or "Results" is most likely a table's column header or a figure label.
 */
function dropUnnumberedBodyHeadingsIfNumbered(candidates: readonly Candidate[]): Candidate[] {
  const explicitCount = candidates.filter((candidate) => candidate.explicit).length;
  if (explicitCount < 2) return [...candidates];
  return candidates.filter((candidate) => candidate.explicit || USUALLY_UNNUMBERED.has(sectionKind(candidate.name)));
}

function parseNumberedHeading(text: string, state: NumberingState): { numbering: Numbering; title: string } | undefined {
  const arabic = /^(\d{1,2}(?:\.\d{1,2}){0,3})(\.?)\s+(\S.*)$/.exec(text);
  if (arabic) return { numbering: arabicNumbering(arabic[1], arabic[1] + arabic[2]), title: arabic[3] };
  const lettered = /^([A-Z]{1,5})\.\s+(\S.*)$/.exec(text);
  if (!lettered) return undefined;
  const [, label, title] = lettered;
  const romanValue = parseRoman(label);
  const asRoman: Numbering | undefined =
    romanValue === undefined ? undefined : { scheme: 'roman', value: romanValue, depth: 1, label: `${label}.` };
  const asLetter: Numbering | undefined =
    label.length === 1 ? { scheme: 'letter', value: label.charCodeAt(0) - 64, depth: 2, label: `${label}.` } : undefined;
  // "I.", "V." and "X." are both roman numerals and letters: the one that continues its sequence wins.
  const numbering = [asRoman, asLetter].find((option) => option && state.fits(option)) ?? asRoman ?? asLetter;
  if (!numbering) return undefined;
  // A lettered line with a comma is far more often a reference ("A. Smith, B. Jones") than an appendix title.
  if (numbering.scheme === 'letter' && /,|\d$/.test(title)) return undefined;
  return { numbering, title };
}

function parseLoneNumber(text: string): Numbering | undefined {
  const match = /^(\d{1,2}(?:\.\d{1,2}){0,3})\.?$/.exec(text);
  return match ? arabicNumbering(match[1], match[1]) : undefined;
}

function arabicNumbering(digits: string, label: string): Numbering {
  const parts = digits.split('.');
  return { scheme: 'arabic', value: Number(parts[0]), depth: parts.length, label };
}

function parseRoman(label: string): number | undefined {
  if (!/^X{0,3}(IX|IV|V?I{0,3})$/.test(label)) return undefined;
  const values: Record<string, number> = { I: 1, V: 5, X: 10 };
  let total = 0;
  for (let index = 0; index < label.length; index++) {
    const value = values[label[index]];
    const next = index + 1 < label.length ? values[label[index + 1]] : 0;
    total += value < next ? -value : value;
  }
  return total;
}

/** A short, title-like phrase: capitalised first word, mostly letters, no sentence end, no citation or formula. */
function isTitleLike(title: string): boolean {
  if (title.length < 2 || title.length > MAX_TITLE_CHARS) return false;
  if (/[.,;]$/.test(title)) return false;
  const words = title.split(/\s+/);
  if (words.length > MAX_TITLE_WORDS) return false;
  const opensWithArticle = words[0] === 'A' && words.length > 1;
  if (!opensWithArticle && !/^\p{Lu}[\p{L}\p{N}'’&-]+/u.test(words[0])) return false;
  if (SENTENCE_OPENERS.has(words[0].toLowerCase())) return false;
  if (words.filter((word) => /^[\d.,%±()-]+$/.test(word)).length > 1) return false;
  if (/\b\p{Lu}\.\s|\bet al\b|[=@[\]{}|<>]|https?:/u.test(title)) return false;
  const visible = title.replace(/\s+/g, '');
  const letters = visible.replace(/[^\p{L}]/gu, '').length;
  return letters >= 0.6 * visible.length;
}

/** Only the paper's usual section names, so a stray short line ("Mountain View", a figure label) is not a heading. */
function isCanonicalHeading(title: string): boolean {
  if (/^(appendix|appendices|supplementary)\b/i.test(title)) return title.split(/\s+/).length <= MAX_TITLE_WORDS;
  const words = headingWords(title);
  if (words.length === 0 || words.length > MAX_UNNUMBERED_WORDS) return false;
  return words.some(isKindWord) && words.every((word) => HEADING_FILLER_WORDS.has(word) || isKindWord(word));
}

function isKindWord(word: string): boolean {
  return KIND_BY_WORD.some(([, pattern]) => pattern.test(word));
}

/** The line before ends mid-sentence ("as shown in the"), so this line continues that sentence. */
function continuesFromPreviousLine(lines: readonly Line[], index: number): boolean {
  const previous = index > 0 ? lines[index - 1].text : '';
  return /[\p{Ll},;–-]$/u.test(previous);
}

/** The line after starts in lower case, so this line is the start of a running sentence. */
function continuesIntoNextLine(lines: readonly Line[], index: number): boolean {
  const next = index + 1 < lines.length ? lines[index + 1].text : '';
  return /^\p{Ll}/u.test(next);
}

function unwrapMarkup(text: string): { text: string; markdown: boolean } {
  const hashes = /^#{1,6}\s+/.exec(text);
  const withoutHashes = hashes ? text.slice(hashes[0].length) : text;
  const withoutBold = withoutHashes.replace(/^(\*\*|__)(.+)\1$/, '$2').trim();
  return { text: withoutBold, markdown: hashes !== null };
}

/**
 * Text extracted from small-caps headings splits each word after its first letter ("I NTRODUCTION"). Only the
 * article "A" can stand alone in an all-caps heading, so it is joined only when most words are split.
 */
export function repairSmallCaps(line: string): string {
  if (/\p{Ll}/u.test(line)) return line;
  const words = line
    .replace(/\s+(['’])\s*S\b/g, '$1S')
    .replace(/([A-Z]) - ([A-Z])/g, '$1-$2')
    .split(/\s+/);
  const isSplitAt = (index: number): boolean =>
    /^[A-Z]$/.test(words[index]) && index + 1 < words.length && /^[A-Z][A-Z0-9'’-]+:?$/.test(words[index + 1]);
  const splitCount = words.filter((_, index) => isSplitAt(index)).length;
  if (splitCount === 0) return line;
  const multiLetterCount = words.filter((word) => /^[A-Z]{2,}/.test(word)).length;
  const joinAmbiguous = splitCount * 2 > multiLetterCount;
  const repaired: string[] = [];
  for (let index = 0; index < words.length; index++) {
    if (isSplitAt(index) && (words[index] !== 'A' || joinAmbiguous)) {
      repaired.push(words[index] + words[index + 1]);
      index++;
    } else {
      repaired.push(words[index]);
    }
  }
  return repaired.join(' ');
}

function stripNumbering(name: string): string {
  return name.replace(/^#{1,6}\s+/, '').replace(/^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-Z]\.)\s+/, '');
}

function headingWords(title: string): string[] {
  return title
    .toLowerCase()
    .split(/[^\p{L}&]+/u)
    .filter((word) => word !== '');
}

function headingName(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\s.:;,—–-]+$/, '');
}
