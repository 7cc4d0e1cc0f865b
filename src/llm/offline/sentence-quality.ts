import { PaperSentence } from './paper-sentences';
import { isCaption } from './prose-text';

const MIN_CHARS = 30;
const MIN_WORDS = 5;
/** Longer "sentences" are almost always several paragraphs, tables or formulas run together by text extraction. */
const MAX_CHARS = 600;
const MIN_LETTER_SHARE = 0.65;
/** Formulas extracted as text leave many one-character tokens (x, t, =, …). */
const MAX_ONE_CHAR_TOKEN_SHARE = 0.3;

const BIBLIOGRAPHIC = /\b(in proceedings|proc\.|arxiv preprint|arxiv:\d|pp\.\s*\d|doi:|vol\.\s*\d|ISBN|ISSN)\b/i;
const AUTHOR_LIST = /\b\p{Lu}\.\s?(\p{Lu}\.\s?)?\p{Lu}[\p{L}'’-]+,/gu;
const LINK = /https?:\/\/|www\.|\S@\S/;
/** Inline formulas read badly out of context and are often equations run into prose by text extraction. */
const FORMULA = /=|[+∑∏∫√∈∀∃≤≥±→⇒∂∇].*[+∑∏∫√∈∀∃≤≥±→⇒∂∇]/;
/** The tail of an equation glued to the sentence after it: "N +S X. Overall, we found …". */
const FORMULA_START = /^([\p{Lu}\p{S}\p{Pd}]\S?\s+){2}/u;
/** A sentence starting in lower case or with a digit is the tail of one broken by a figure, table or page. */
const FRAGMENT_START = /^[\p{Ll}\p{N}]/u;
/** A quotable sentence ends as one; text running into an equation, a list or a figure does not. */
const SENTENCE_END = /[.!?。！？]["”’)\]]*$/u;
/** Captions and tables run into prose carry many labels in parentheses: "(a)-(d) using …, (e)-(h) …". */
const MAX_PARENTHESES = 3;

/** Whether a sentence is prose worth quoting: a whole sentence, not a caption, reference entry, formula, label run or link. */
export function isProseSentence(sentence: PaperSentence): boolean {
  const { text, tokens } = sentence;
  if (text.length < MIN_CHARS || text.length > MAX_CHARS) return false;
  const words = tokens.filter((token) => token.pos !== 'PUNCT' && token.pos !== 'SYM');
  if (words.length < MIN_WORDS) return false;
  if (!tokens.some((token) => token.pos === 'VERB' || token.pos === 'AUX')) return false;
  if (letterShare(text) < MIN_LETTER_SHARE) return false;
  if (words.filter((token) => token.normal.length === 1).length > MAX_ONE_CHAR_TOKEN_SHARE * words.length) return false;
  if (isCaption(text) || BIBLIOGRAPHIC.test(text) || LINK.test(text)) return false;
  if (FORMULA.test(text) || FORMULA_START.test(text) || FRAGMENT_START.test(text) || !SENTENCE_END.test(text)) return false;
  if ((text.match(/\(/g) ?? []).length > MAX_PARENTHESES) return false;
  return (text.match(AUTHOR_LIST) ?? []).length < 2 && !/^\[\d+\]/.test(text);
}

/** Citations ("[12]", "et al.") mark a sentence about other people's work. */
export function citesOthers(text: string): boolean {
  return /\[\d+([,–-]\s*\d+)*\]|\bet al\b|\(\p{Lu}[\p{L}-]+( et al\.?| and \p{Lu}[\p{L}-]+)?,? \d{4}\)/u.test(text);
}

function letterShare(text: string): number {
  const visible = text.replace(/\s+/g, '');
  return visible.replace(/[^\p{L}]/gu, '').length / Math.max(visible.length, 1);
}
