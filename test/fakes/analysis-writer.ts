import { AnalysisFields } from '../../src/llm/analysis';
import { PaperBlock } from '../../src/llm/groq/paper-prompt';

/** One item of the fake's `analyses`: the fields the prompt asks for, keyed by the paper's id. */
export interface AnalysisItem extends AnalysisFields {
  id: string;
}

interface PaperParts {
  title?: string;
  abstract?: string;
  text: string;
}

/** Only the start of a long paper is read: enough for plausible content, bounded in time. */
const MAX_CHARS_READ = 20_000;
const MAX_SENTENCE_CHARS = 300;
const TITLE_WORDS = 10;

const STOPWORDS = new Set(
  (
    'about above after again against also among analysis another because been before being below between both ' +
    'could does doing down during each either every from further have having here however into itself just like ' +
    'many more most much must need only other over paper same section should show shows shown since some such ' +
    'than that their them then there these they this those through thus under until upon used uses using very ' +
    'were what when where which while will with within without would your results result table figure based ' +
    'first second third well also therefore further present presents proposed propose approach method methods'
  ).split(' '),
);

const FINDING_CUES = /\b(we (show|find|found|demonstrate|observe)|results? (show|indicate|suggest)|outperform|improv|significant|achiev)/i;
/** Cues in order of strength: the first cue any sentence matches picks the sentence. */
const METHOD_CUES = [
  /\bwe (propose|present|introduce|use|train|develop|design|collect|conduct|build|apply)/i,
  /\b(method|approach|framework|model|algorithm|experiment|dataset)/i,
];
const RESULT_CUES = [/\d.*\b(accuracy|outperform|improv|reduc|increas|score|baseline)|%/i, /\d/];
/** Sentences shorter than this (headings such as "Introduction.") are not used, unless nothing else is left. */
const MIN_SENTENCE_WORDS = 3;
const LIMITATION_CUES = /\b(limitation|limited|however|future work|does not|do not|cannot|only|remain)/i;

const FALLBACK_FINDINGS = [
  'The paper describes its main contribution in the text.',
  'The paper reports its outcome without further detail in the excerpt given.',
  'The paper relates its work to the problem it addresses.',
];
const FALLBACK_KEYWORDS = ['research', 'paper', 'study', 'analysis'];

/** One analysis per paper, in order, derived deterministically from the paper's text. */
export function writeAnalyses(papers: readonly PaperBlock[]): AnalysisItem[] {
  return papers.map((paper) => writeAnalysis(paper));
}

export function writeAnalysis(paper: PaperBlock): AnalysisItem {
  const parts = parsePaperBody(paper.body);
  const sentences = usableSentences(splitSentences([parts.abstract, parts.text].filter(Boolean).join(' ')));
  const title = parts.title ?? firstWords(parts.text || parts.abstract || '', TITLE_WORDS) ?? `Paper ${paper.id}`;
  return {
    id: paper.id,
    title,
    summary: sentences.slice(0, 3).join(' ') || `The paper "${title}" gives no text to summarise.`,
    key_findings: pickFindings(sentences),
    methodology: pickSentence(sentences, METHOD_CUES, 1) ?? 'The paper does not describe its method in the text given.',
    results: pickSentence(sentences, RESULT_CUES, 2) ?? 'The paper does not state results in the text given.',
    limitations: sentences.filter((sentence) => LIMITATION_CUES.test(sentence)).slice(0, 2),
    keywords: pickKeywords(`${title} ${parts.abstract ?? ''} ${parts.text}`),
  };
}

/** The `title:`, `abstract:` and `text:` parts of a paper body built by `buildPapersMessage`. */
export function parsePaperBody(body: string): PaperParts {
  let rest = body;
  let title: string | undefined;
  let abstract: string | undefined;
  const titleMatch = /^title: (.*)(?:\n|$)/.exec(rest);
  if (titleMatch) {
    title = titleMatch[1].trim() || undefined;
    rest = rest.slice(titleMatch[0].length);
  }
  const textStart = rest.search(/(^|\n)text:(\n|$)/);
  const head = textStart === -1 ? rest : rest.slice(0, textStart);
  const text = textStart === -1 ? '' : rest.slice(textStart).replace(/^\n?text:\n?/, '');
  const abstractMatch = /^abstract: ([\s\S]*)$/.exec(head);
  if (abstractMatch) abstract = abstractMatch[1].trim() || undefined;
  else if (head.trim()) return { title, text: `${head}\n${text}`.trim() };
  return { title, abstract, text };
}

function splitSentences(text: string): string[] {
  const flat = text.slice(0, MAX_CHARS_READ).replace(/\s+/g, ' ').trim();
  if (!flat) return [];
  return flat
    .split(/(?<=[.!?])\s+(?=["'(\[]?[A-Z0-9])/)
    .map((sentence) => clip(sentence.trim(), MAX_SENTENCE_CHARS))
    .filter((sentence) => sentence.length > 0);
}

function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const lastSpace = cut.lastIndexOf(' ');
  return `${cut.slice(0, lastSpace > 0 ? lastSpace : maxChars)}...`;
}

/** A title for an untitled paper: its first sentence, cut to `count` words, without the final stop. */
function firstWords(text: string, count: number): string | undefined {
  const [firstSentence = ''] = splitSentences(text.slice(0, 2_000));
  const words = firstSentence.split(' ').filter(Boolean).slice(0, count);
  return words.length > 0 ? words.join(' ').replace(/[.!?:;,]+$/, '') : undefined;
}

function usableSentences(sentences: string[]): string[] {
  const usable = sentences.filter((sentence) => sentence.split(' ').length >= MIN_SENTENCE_WORDS);
  return usable.length > 0 ? usable : sentences;
}

/** The first sentence matching the strongest cue any sentence matches, else the one at `fallbackIndex`. */
function pickSentence(sentences: readonly string[], cues: readonly RegExp[], fallbackIndex: number): string | undefined {
  for (const cue of cues) {
    const found = sentences.find((sentence) => cue.test(sentence));
    if (found) return found;
  }
  return sentences[fallbackIndex] ?? sentences[0];
}

/** 3 to 6 findings: sentences that sound like findings first, then the text's other sentences, then stock lines. */
function pickFindings(sentences: readonly string[]): string[] {
  const cued = sentences.filter((sentence) => FINDING_CUES.test(sentence)).slice(0, 6);
  const findings = [...new Set([...cued, ...sentences.slice(3, 9)])].slice(0, 6);
  for (const fallback of FALLBACK_FINDINGS) {
    if (findings.length >= 3) break;
    findings.push(fallback);
  }
  return findings;
}

/** 4 to 8 keywords: the most frequent content words (ties by first appearance), padded with stock words. */
function pickKeywords(text: string): string[] {
  const counts = new Map<string, number>();
  for (const match of text.slice(0, MAX_CHARS_READ).toLowerCase().matchAll(/[a-z][a-z0-9-]{3,}/g)) {
    const word = match[0].replace(/-+$/, '');
    if (word.length < 4 || STOPWORDS.has(word)) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([word]) => word);
  const keywords = ranked.slice(0, 6);
  for (const fallback of FALLBACK_KEYWORDS) {
    if (keywords.length >= 4) break;
    if (!keywords.includes(fallback)) keywords.push(fallback);
  }
  return keywords;
}
