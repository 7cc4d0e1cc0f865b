import { ItemSentence, ItsFunction, Tokens, WinkMethods } from 'wink-nlp';
import { SectionKind } from '../../papers/section-detector';
import { englishNlp } from './english-model';
import { TextPart } from './paper-parts';
import { collapseWhitespace, proseParagraphs, protectAbbreviations, restoreAbbreviations } from './prose-text';

export interface WordToken {
  /** The word as written, lower-cased (wink's own normal form would turn British into American spelling). */
  normal: string;
  lemma: string;
  /** Universal part-of-speech tag as wink assigns it: NOUN, PROPN, ADJ, VERB, PUNCT … */
  pos: string;
  stopWord: boolean;
  /** Written with no space after a word, number or hyphen, as "layer" in "152-layer". */
  glued: boolean;
}

export interface PaperSentence {
  /** Reading order across the whole paper, abstract first. */
  index: number;
  text: string;
  kind: SectionKind;
  heading: string;
  /** Position of the sentence within its section, from 0. */
  ordinal: number;
  tokens: WordToken[];
  /** Lemmas of the content words, the sentence's vocabulary for similarity. */
  terms: string[];
}

const CONTENT_POS = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ']);

/** The sentences of the parts, in order, tokenised and tagged. */
export function readSentences(parts: readonly TextPart[], firstIndex = 0): PaperSentence[] {
  const nlp = englishNlp();
  const sentences: PaperSentence[] = [];
  for (const part of parts) {
    const prose = proseParagraphs(part.text).map(protectAbbreviations).join('\n\n');
    if (prose === '') continue;
    let ordinal = 0;
    nlp
      .readDoc(prose)
      .sentences()
      .each((item: ItemSentence) => {
        const text = collapseWhitespace(restoreAbbreviations(item.out()));
        if (text === '') return;
        const tokens = readTokens(nlp, item.tokens());
        sentences.push({
          index: firstIndex + sentences.length,
          text,
          kind: part.kind,
          heading: part.heading,
          ordinal: ordinal++,
          tokens,
          terms: contentTerms(tokens),
        });
      });
  }
  return sentences;
}

/** The tokens of a short text such as a title, which need not be a sentence. */
export function tokenize(text: string): WordToken[] {
  const nlp = englishNlp();
  return readTokens(nlp, nlp.readDoc(protectAbbreviations(collapseWhitespace(text))).tokens());
}

function readTokens(nlp: WinkMethods, tokens: Tokens): WordToken[] {
  const values = tokens.out(nlp.its.value) as string[];
  // wink's typings declare its.lemma with a signature its own `out` does not accept; at run time it is fine.
  const lemmas = tokens.out(nlp.its.lemma as unknown as ItsFunction<string>) as string[];
  const tags = tokens.out(nlp.its.pos) as string[];
  const stopWords = tokens.out(nlp.its.stopWordFlag) as boolean[];
  const spaces = tokens.out(nlp.its.precedingSpaces) as string[];
  return values.map((value, index) => ({
    normal: restoreAbbreviations(value.toLowerCase()),
    lemma: restoreAbbreviations(lemmas[index]),
    pos: tags[index],
    stopWord: stopWords[index],
    glued: index > 0 && spaces[index] === '' && /[\p{L}\p{N}-]$/u.test(values[index - 1]),
  }));
}

function contentTerms(tokens: readonly WordToken[]): string[] {
  return tokens
    .filter((token) => CONTENT_POS.has(token.pos) && !token.stopWord && /\p{L}.*\p{L}/u.test(token.lemma))
    .map((token) => token.lemma);
}
