import { hash } from 'node:crypto';

/** A paper as submitted and normalised: what is hashed, stored once, and sent to the analyser. */
export interface PaperContent {
  title?: string;
  abstract?: string;
  text: string;
}

/**
 * Text made only of printable ASCII and single line breaks, with no doubled spaces, no space beside a
 * line break, no run of three line breaks and nothing to trim, is already normal: most submissions are,
 * and this test costs a tenth of the full pass below. Its ends are checked apart: in a regular expression,
 * `^\s|\s$` is tried at every character and took a third of the test's time.
 */
const NEEDS_NORMALISING_WITHIN = /[^\x20-\x7e\n]| [ \n]|\n(?: |\n\n)/;
/** Any other whitespace is outside printable ASCII, which the expression above already finds. */
const isSpaceOrBreak = (code: number) => code === 0x20 || code === 0x0a;

const isNormal = (value: string): boolean =>
  !isSpaceOrBreak(value.charCodeAt(0)) && !isSpaceOrBreak(value.charCodeAt(value.length - 1)) && !NEEDS_NORMALISING_WITHIN.test(value);

/**
 * Control characters that are not whitespace (C0, DEL and C1, but NEL): no text means them, and NUL separates
 * fields in the hash. Each becomes a space, as one may stand between two words.
 */
const CONTROL_CHARACTERS = /[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]/g;
/**
 * A letter, digit, punctuation mark or symbol: not whitespace, a control character, an invisible format
 * character (zero-width space, direction mark, soft hyphen), a combining mark with nothing to combine with,
 * a private-use or unassigned code point, or half a surrogate pair.
 */
const READABLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Whether a text says anything a reader could read, before or after normalising. */
export const hasText = (value: string): boolean => READABLE.test(value);

/**
 * Unicode compatibility forms (ligatures, full-width letters, odd spaces) folded, control characters
 * dropped, line ends unified, runs of spaces collapsed and blank-line runs shortened: two copies of a
 * paper that differ only in such details hash alike and are analysed once. Form feeds stay: they mark
 * the page breaks of an extracted PDF, which section detection reads.
 */
export function normaliseText(value: string | undefined): string {
  if (!value) return '';
  if (isNormal(value)) return value;
  return value
    .normalize('NFKC')
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(/\r\n?|\x85/g, '\n')
    .replace(/[^\S\n\f]+/g, ' ')
    .replace(/ *([\n\f]) */g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function normalisePaper(submission: { title?: string; abstract?: string; text?: string }): PaperContent {
  const title = normaliseText(submission.title).replace(/\s+/g, ' ');
  const abstract = normaliseText(submission.abstract);
  return {
    ...(title && { title }),
    ...(abstract && { abstract }),
    text: normaliseText(submission.text),
  };
}

/**
 * The paper's identity: the same normalised content always gives the same hash. Normalised fields hold
 * no NUL, so the separator cannot be forged from inside one of them.
 */
export function paperHash(paper: PaperContent): string {
  // One-shot: a Hash object per call cost 60% more (1.2 µs against 0.7 for an 800-character text).
  return hash('sha256', [paper.title ?? '', paper.abstract ?? '', paper.text].join('\u0000'), 'base64url');
}
