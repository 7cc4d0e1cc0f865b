import { AnalysisFields, PaperDocument } from '../analysis';
import { pickKeyFindings, pickLimitations, pickMethodology, pickResults } from './field-pickers';
import { extractKeyphrases } from './keyphrases';
import { splitPaper } from './paper-parts';
import { PaperSentence, readSentences, tokenize } from './paper-sentences';
import { rankSentences } from './ranked-sentences';
import { joinSentences } from './sentence-picking';
import { isProseSentence } from './sentence-quality';
import { pickSummary } from './summary-picker';
import { guessTitle } from './title-guess';

/** Part of the model name, and so of cache keys: bump it whenever the same paper would be analysed differently. */
export const EXTRACTIVE_ANALYZER_VERSION = '1.1';

const NOT_STATED = 'Not stated in the text.';

/**
 * Analyses a paper without a language model: the summary takes central sentences (TextRank) of the body where papers
 * state their contributions, cue phrases pick findings, method, results and limitations, and noun phrases make the
 * keywords. Deterministic and local.
 */
export class ExtractiveAnalyzer {
  static readonly modelName = `extractive-textrank-${EXTRACTIVE_ANALYZER_VERSION}`;

  analyze(document: PaperDocument): AnalysisFields {
    const parts = splitPaper(document);
    const abstract = readSentences([{ kind: 'abstract', heading: 'Abstract', text: parts.abstract }]);
    const body = readSentences(parts.body, abstract.length);
    const usable = proseOrEverything([...abstract, ...body]);
    const ranked = rankSentences(usable);

    const summary = pickSummary(
      ranked.filter((sentence) => sentence.kind !== 'abstract'),
      ranked.filter((sentence) => sentence.kind === 'abstract'),
    );
    const methodology = pickMethodology(ranked);
    const title = guessTitle(document, usable[0]?.text);
    return {
      title,
      summary: joinSentences(summary) || NOT_STATED,
      key_findings: pickKeyFindings(ranked, summary).map((sentence) => sentence.text),
      methodology: joinSentences(methodology) || NOT_STATED,
      results: joinSentences(pickResults(ranked, methodology)) || NOT_STATED,
      limitations: pickLimitations(ranked).map((sentence) => sentence.text),
      keywords: extractKeyphrases(usable, tokenize(title)),
    };
  }
}

/** When no sentence reads as prose (a list of terms, a language the tagger does not know), use what there is. */
function proseOrEverything(sentences: readonly PaperSentence[]): PaperSentence[] {
  const prose = sentences.filter(isProseSentence);
  return prose.length > 0 ? prose : [...sentences];
}
