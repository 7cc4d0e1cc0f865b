import { PaperDocument } from '../analysis';
import { BACK_MATTER, OutlinedSection, outlinePaper } from '../../papers/paper-outline';
import { runningLines, SectionKind } from '../../papers/section-detector';
import { withoutLines } from './prose-text';

/** A stretch of the paper's text under one heading, the heading itself left out. */
export interface TextPart {
  kind: SectionKind;
  /** The heading as the paper writes it; empty for text under no heading. */
  heading: string;
  text: string;
}

export interface PaperParts {
  /** The abstract as given, else as found in the text; empty if neither. */
  abstract: string;
  /** The paper's own sections in order, without abstract, references, acknowledgements and appendices. */
  body: TextPart[];
}

/** Text past this is not analysed: the first 200,000 characters of the body carry what an extractive summary needs. */
const MAX_BODY_CHARS = 200_000;

/** Before such a first heading, the text holds the title, authors and affiliations, maybe an unlabelled abstract. */
const OPENING_KINDS: ReadonlySet<SectionKind> = new Set(['abstract', 'introduction']);

export function splitPaper(document: PaperDocument): PaperParts {
  const text = document.text ?? '';
  const givenAbstract = (document.abstract ?? '').trim();
  const running = runningLines(text);
  const sections = outlinePaper(text);
  if (sections.length === 0) {
    return { abstract: givenAbstract, body: capLength([{ kind: 'other', heading: '', text: withoutLines(text, running) }]) };
  }

  const parts = sections.map((section) => sectionPart(text, section, running));
  const lead = withoutLines(text.slice(0, sections[0].start), running);
  const leadIsFrontMatter = OPENING_KINDS.has(parts[0].kind);
  const foundAbstract = parts.find((part) => part.kind === 'abstract')?.text.trim() ?? '';
  const abstract = givenAbstract || foundAbstract || (leadIsFrontMatter ? lead.trim() : '');
  const leadPart: TextPart[] = leadIsFrontMatter ? [] : [{ kind: 'other', heading: '', text: lead }];
  const body = [...leadPart, ...parts.filter((part) => part.kind !== 'abstract' && !BACK_MATTER.has(part.kind))];
  return { abstract, body: capLength(body) };
}

function sectionPart(text: string, section: OutlinedSection, running: ReadonlySet<string>): TextPart {
  const body = withoutHeading(text.slice(section.start, section.end), section.name);
  return { kind: section.kind, heading: section.name, text: withoutLines(body, running) };
}

/** Drops the heading's line, or the heading words of a run-in heading such as "Abstract—We study …". */
function withoutHeading(sectionText: string, heading: string): string {
  const firstLineEnd = sectionText.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? sectionText : sectionText.slice(0, firstLineEnd);
  if (firstLine.trim().length > heading.length + 3 && firstLine.startsWith(heading)) {
    return sectionText.slice(heading.length).replace(/^\s*[—–:.-]?\s*/, '');
  }
  const rest = firstLineEnd === -1 ? '' : sectionText.slice(firstLineEnd + 1);
  // A heading whose number stands on a line of its own ("1", blank line, "Introduction") spans two lines.
  return /^\d{1,2}(\.\d{1,2})*\.?$/.test(firstLine.trim()) ? rest.replace(/^\s*[^\n]*\n?/, '') : rest;
}

function capLength(parts: readonly TextPart[]): TextPart[] {
  const capped: TextPart[] = [];
  let remaining = MAX_BODY_CHARS;
  for (const part of parts) {
    if (remaining <= 0) break;
    capped.push(part.text.length <= remaining ? part : { ...part, text: part.text.slice(0, remaining) });
    remaining -= part.text.length;
  }
  return capped;
}
