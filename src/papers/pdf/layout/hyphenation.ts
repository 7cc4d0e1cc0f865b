/**
 * A word broken at a line end: its first part (which may itself hold hyphens, as in "state-of-the-"), an optional
 * page break, and the rest of the word with whatever punctuation follows it, up to the next space.
 */
const BROKEN_WORD = /([\p{L}\p{N}][\p{L}\p{N}'’-]*[\p{Ll}\p{N}])-\n(\f?)(\p{Ll}\S*)( |(?=\n)|$)/gu;

/**
 * Joins words hyphenated across line ends: "differ-\nent" becomes "different" at the end of the first line. The
 * hyphen stays where the word is a compound: its first part has hyphens already ("state-of-the-art") or ends in a
 * digit ("152-layer"), or the paper writes it with a hyphen elsewhere and never without.
 */
export function joinHyphenatedWords(text: string): string {
  const vocabulary = wordsOf(text);
  return text.replace(BROKEN_WORD, (_match, head: string, pageBreak: string, tail: string, space: string) => {
    const tailWord = /^\p{L}+/u.exec(tail)?.[0] ?? tail;
    const lastPart = head.split('-').at(-1) ?? head;
    const compound =
      head.includes('-') ||
      /\p{N}$/u.test(head) ||
      (vocabulary.has(`${lastPart}-${tailWord}`.toLowerCase()) && !vocabulary.has(`${lastPart}${tailWord}`.toLowerCase()));
    const word = compound ? `${head}-${tail}` : `${head}${tail}`;
    // The word moves up to the first line; when it was all its line held, that line's own break is left to end it.
    const lineBreak = space === ' ' || pageBreak !== '' ? `\n${pageBreak}` : '';
    return word + lineBreak;
  });
}

function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/\p{L}+(?:-\p{L}+)*/gu) ?? []);
}
