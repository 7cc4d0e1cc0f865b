import { detectSections, sectionKind } from '../src/papers/section-detector';
import { splitPaper } from '../src/llm/offline/paper-parts';

export interface AbstractAndBody {
  /** The paper's own abstract, as the offline analyser finds it. */
  abstract: string;
  /** The text from the first section after the abstract on: no title, authors or abstract left to copy. */
  body: string;
}

/** Undefined when the paper's abstract or its body cannot be told apart. */
export function abstractAndBody(text: string): AbstractAndBody | undefined {
  const abstract = splitPaper({ id: 'eval', text }).abstract;
  const sections = detectSections(text);
  const abstractIndex = sections.findIndex((section) => sectionKind(section.name) === 'abstract');
  // Without an abstract heading the analyser takes the text before the first heading as the abstract.
  const firstBodySection = sections[abstractIndex + 1];
  if (abstract === '' || firstBodySection === undefined) return undefined;
  return { abstract, body: text.slice(firstBodySection.start) };
}
