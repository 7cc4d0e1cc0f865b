import { AnalysisFields, PaperDocument } from '../llm/analysis';

/**
 * The reduce step for a paper too long for one call: the analyses of its parts, in order, written out
 * as a document that the analyser reads like a short paper and analyses as a whole.
 */
export function partNotesDocument(document: PaperDocument, partials: readonly AnalysisFields[]): PaperDocument {
  const notes = partials.map((fields, index) =>
    [
      `Part ${index + 1} of ${partials.length}`,
      `Summary: ${fields.summary}`,
      bulleted('Key findings', fields.key_findings),
      `Methodology: ${fields.methodology}`,
      `Results: ${fields.results}`,
      bulleted('Limitations', fields.limitations),
      `Keywords: ${fields.keywords.join(', ')}`,
    ].join('\n'),
  );
  return { ...document, text: [`Notes on this paper, taken part by part in reading order.`, ...notes].join('\n\n') };
}

function bulleted(label: string, items: readonly string[]): string {
  return [`${label}:`, ...items.map((item) => `- ${item}`)].join('\n');
}
