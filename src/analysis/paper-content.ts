import { createHash } from 'node:crypto';

/** A paper as submitted and normalised: what is hashed, stored once, and sent to the analyser. */
export interface PaperContent {
  title?: string;
  abstract?: string;
  text: string;
}

/**
 * Unicode compatibility forms (ligatures, full-width letters, odd spaces) folded, line ends unified,
 * runs of spaces collapsed and blank-line runs shortened: two copies of a paper that differ only
 * in such details hash alike and are analysed once.
 */
export function normaliseText(value: string | undefined): string {
  if (!value) return '';
  return value
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
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

/** The paper's identity: the same normalised content always gives the same hash. */
export function paperHash(paper: PaperContent): string {
  return createHash('sha256')
    .update([paper.title ?? '', paper.abstract ?? '', paper.text].join('\u0000'))
    .digest('base64url');
}
