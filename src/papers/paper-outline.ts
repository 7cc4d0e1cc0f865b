import { PaperSection } from '../llm/analysis';
import { detectSections, SectionKind, sectionKind } from './section-detector';

/** A section with the kind it has in the paper: a subsection named by its topic takes its parent's kind. */
export interface OutlinedSection extends PaperSection {
  kind: SectionKind;
}

/** Parts of a paper that say nothing of its own work: kept in the result's sections, never sent to the LLM. */
export const BACK_MATTER: ReadonlySet<SectionKind> = new Set(['references', 'acknowledgements', 'appendix']);

/**
 * The paper's sections, in text order, each with its kind in context: a subsection named by its topic alone
 * ("4.1 ImageNet") belongs to its parent's kind (experiments), and every subsection of related work is related
 * work ("2.3 Methods Using Second Order Information"); an unnamed section after the references is an appendix.
 * A known body kind after the references is kept, as text extraction of two-column layouts may put the
 * references before the conclusion.
 */
export function outlinePaper(text: string): OutlinedSection[] {
  let parentKind: SectionKind = 'other';
  let afterReferences = false;
  return detectSections(text).map((section) => {
    const own = sectionKind(section.name);
    const subsection = isSubsection(section.name);
    if (!subsection) parentKind = own;
    if (own === 'references') afterReferences = true;
    return { ...section, kind: kindInContext(own, subsection, parentKind, afterReferences) };
  });
}

function kindInContext(own: SectionKind, subsection: boolean, parentKind: SectionKind, afterReferences: boolean): SectionKind {
  if (subsection && parentKind === 'related') return 'related';
  if (own !== 'other') return own;
  if (afterReferences) return 'appendix';
  return subsection ? parentKind : own;
}

/** The paper's text with its back matter cut out; `outline` is the text's own, when already known. */
export function withoutBackMatter(text: string, outline: readonly OutlinedSection[] = outlinePaper(text)): string {
  const backMatter = outline.filter((section) => BACK_MATTER.has(section.kind));
  let kept = '';
  let from = 0;
  for (const section of backMatter) {
    kept += text.slice(from, section.start);
    from = section.end;
  }
  return (kept + text.slice(from)).trim();
}

function isSubsection(name: string): boolean {
  return /^\d{1,2}\.\d/.test(name) || /^[A-Z]\.\s/.test(name);
}
