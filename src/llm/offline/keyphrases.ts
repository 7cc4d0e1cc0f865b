import { PaperSentence, WordToken } from './paper-sentences';

const PHRASE_POS = new Set(['ADJ', 'NOUN', 'PROPN']);
const HEAD_POS = new Set(['NOUN', 'PROPN']);
const MAX_PHRASE_WORDS = 4;
/** Tags of the word before a gerund that modifies a noun: "the learning rate", "message passing layer". */
const GERUND_ANCHOR_POS = new Set(['DET', 'ADJ', 'NOUN', 'PROPN']);
/** Gerunds that link a noun to what follows ("models using SGD") rather than name a thing ("message passing"). */
const LINKING_GERUNDS = new Set(['using', 'including', 'following', 'according', 'regarding', 'considering', 'concerning', 'comparing']);
const MIN_KEYPHRASES = 5;
const MAX_KEYPHRASES = 8;
/** Below this many sentences a phrase said once may still be what the text is about. */
const SMALL_TEXT_SENTENCES = 20;
/** Longer phrases are more specific: a two-word phrase said 10 times tells more than a word said 25 times. */
const LENGTH_WEIGHT = [0, 1, 2.5, 3, 3];
const GENERIC_WORD_WEIGHT = 0.2;
const TITLE_BOOST = 2;
const ABSTRACT_BOOST = 1.3;

/** Words any paper uses, whatever it is about. */
const GENERIC_WORDS = new Set([
  'paper', 'work', 'result', 'method', 'approach', 'model', 'problem', 'case', 'example', 'number', 'set', 'way',
  'time', 'section', 'figure', 'table', 'equation', 'term', 'value', 'part', 'order', 'effect', 'fact', 'use',
  'system', 'task', 'performance', 'experiment', 'analysis', 'study', 'information', 'process', 'author', 'state',
  'art', 'level', 'type', 'kind', 'form', 'amount', 'range', 'step', 'point', 'issue', 'question', 'idea', 'detail',
  'aspect', 'property', 'setting', 'version', 'variant', 'addition', 'contrast', 'comparison', 'respect', 'other',
  'different', 'same', 'new', 'novel', 'proposed', 'previous', 'recent', 'first', 'second', 'third', 'large', 'small',
  'high', 'low', 'good', 'better', 'best', 'simple', 'many', 'several', 'various', 'main', 'important', 'general',
  'specific', 'single', 'multiple', 'standard', 'original', 'similar', 'following', 'final', 'whole', 'overall',
  'total', 'possible', 'certain', 'significant', 'key', 'major', 'additional', 'further', 'present', 'current',
  'existing', 'related', 'prior', 'technique', 'framework', 'lot', 'thing', 'end', 'top', 'bottom', 'left', 'right',
  'average', 'able', 'sense', 'purpose', 'goal', 'reason', 'practice', 'choice', 'size', 'fig', 'eq', 'sec', 'tab',
  'et', 'al', 'etc', 'approx', 'resp', 'vs', 'cf', 'ref', 'appendix', 'page', 'line', 'name', 'cost',
]);

interface PhraseStats {
  count: number;
  words: number;
  inTitle: boolean;
  inAbstract: boolean;
  firstSeen: number;
}

/**
 * 5 to 8 key phrases: noun phrases (adjectives and nouns ending in a noun), lower-cased with a singular head,
 * ranked by frequency weighted by specificity, none contained in a better one. Frequent nouns fill up a short list.
 */
export function extractKeyphrases(sentences: readonly PaperSentence[], titleTokens: readonly WordToken[]): string[] {
  const titlePhrases = new Set(nounPhrases(titleTokens).map((words) => words.join(' ')));
  const stats = phraseStats(sentences, titlePhrases);
  const minCount = sentences.length < SMALL_TEXT_SENTENCES ? 1 : 2;
  const ranked = [...stats]
    .filter(([, phrase]) => phrase.count >= minCount || phrase.inTitle)
    .map(([text, phrase]) => ({ text, score: phraseScore(text, phrase), firstSeen: phrase.firstSeen }))
    .filter((candidate) => candidate.score > 0)
    .sort((a, b) => b.score - a.score || a.firstSeen - b.firstSeen);
  const chosen: string[] = [];
  for (const candidate of ranked) {
    if (chosen.length === MAX_KEYPHRASES) break;
    if (!overlapsAny(candidate.text, chosen)) chosen.push(candidate.text);
  }
  if (chosen.length < MIN_KEYPHRASES) fillWithFrequentNouns(chosen, sentences);
  return chosen;
}

function phraseStats(sentences: readonly PaperSentence[], titlePhrases: ReadonlySet<string>): Map<string, PhraseStats> {
  const stats = new Map<string, PhraseStats>();
  for (const sentence of sentences) {
    for (const words of nounPhrases(sentence.tokens)) {
      const text = words.join(' ');
      const phrase = stats.get(text);
      if (phrase) {
        phrase.count++;
        phrase.inAbstract ||= sentence.kind === 'abstract';
      } else {
        stats.set(text, {
          count: 1,
          words: words.length,
          inTitle: titlePhrases.has(text),
          inAbstract: sentence.kind === 'abstract',
          firstSeen: sentence.index,
        });
      }
    }
  }
  return stats;
}

function phraseScore(text: string, phrase: PhraseStats): number {
  const words = text.split(' ');
  const specificity = words.reduce((sum, word) => sum + (GENERIC_WORDS.has(word) ? GENERIC_WORD_WEIGHT : 1), 0) / words.length;
  if (specificity < 1 && phrase.words === 1) return 0;
  const boost = (phrase.inTitle ? TITLE_BOOST : 1) * (phrase.inAbstract ? ABSTRACT_BOOST : 1);
  return phrase.count * LENGTH_WEIGHT[phrase.words] * specificity * boost;
}

/**
 * Every noun phrase of a sentence and the shorter phrases ending in the same head ("deep residual network",
 * "residual network"); a lone word only if tagged a proper noun ("ImageNet"), as common nouns alone say little.
 */
function nounPhrases(tokens: readonly WordToken[]): string[][] {
  const phrases: string[][] = [];
  let run: WordToken[] = [];
  const flush = (): void => {
    const kept = phraseTokens(run);
    const words = kept.map((token, index) => (index === kept.length - 1 ? headForm(token) : token.normal));
    for (let start = 0; start < words.length; start++) {
      // "passing layer" is no phrase of its own, but "learning rate" is.
      if (start > 0 && kept[start].pos === 'VERB') continue;
      if (start < words.length - 1 || kept[start].pos === 'PROPN') phrases.push(words.slice(start));
    }
    run = [];
  };
  tokens.forEach((token, index) => {
    // A word glued to a number or hyphen ("152-layer", "state-of-the-art") is the tail of a compound, not a phrase.
    const startsMidCompound = token.glued && run.length === 0;
    if ((isPhraseWord(token) && !startsMidCompound) || isGerundModifier(tokens, index)) run.push(token);
    else if (run.length > 0) flush();
  });
  if (run.length > 0) flush();
  return phrases;
}

/** The run from its first specific word to its last noun, at most four words. */
function phraseTokens(run: readonly WordToken[]): WordToken[] {
  let end = run.length;
  while (end > 0 && !HEAD_POS.has(run[end - 1].pos)) end--;
  let start = 0;
  while (start < end && GENERIC_WORDS.has(run[start].normal)) start++;
  return run.slice(Math.max(start, end - MAX_PHRASE_WORDS), end);
}

/**
 * "the learning rate", "message passing layer": a gerund before a noun, though tagged a verb, names a thing
 * (unlike "models using SGD").
 */
function isGerundModifier(tokens: readonly WordToken[], index: number): boolean {
  const token = tokens[index];
  const before = tokens[index - 1];
  const after = tokens[index + 1];
  return (
    token.pos === 'VERB' &&
    /^\p{L}+ing$/u.test(token.normal) &&
    !LINKING_GERUNDS.has(token.normal) &&
    before !== undefined &&
    GERUND_ANCHOR_POS.has(before.pos) &&
    after !== undefined &&
    HEAD_POS.has(after.pos)
  );
}

function isPhraseWord(token: WordToken): boolean {
  return PHRASE_POS.has(token.pos) && !token.stopWord && /^\p{L}[\p{L}\p{N}-]*\p{L}[\p{L}\p{N}-]*$/u.test(token.normal);
}

/**
 * The singular of a regular plural ("networks", "studies", "matrices"); any other lemma ("data" → "datum",
 * "colours" → "color") would change the word the paper uses.
 */
function headForm(token: WordToken): string {
  const { normal: word, lemma } = token;
  if (token.pos !== 'NOUN' || lemma === word || lemma.length < 3) return word;
  const plurals = [`${lemma}s`, `${lemma}es`, `${lemma.slice(0, -1)}ies`, `${lemma.slice(0, -2)}ices`];
  return plurals.includes(word) ? lemma : word;
}

/** One phrase inside the other, word for word ("residual network" in "deep residual network"). */
function overlapsAny(candidate: string, chosen: readonly string[]): boolean {
  const padded = ` ${candidate} `;
  return chosen.some((phrase) => padded.includes(` ${phrase} `) || ` ${phrase} `.includes(padded));
}

function fillWithFrequentNouns(chosen: string[], sentences: readonly PaperSentence[]): void {
  const counts = new Map<string, number>();
  for (const token of sentences.flatMap((sentence) => sentence.tokens)) {
    if (!HEAD_POS.has(token.pos) || !isPhraseWord(token) || token.glued || token.normal.length < 3) continue;
    const word = headForm(token);
    if (!GENERIC_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const nouns = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [noun] of nouns) {
    if (chosen.length >= MIN_KEYPHRASES) break;
    if (!overlapsAny(noun, chosen)) chosen.push(noun);
  }
}
