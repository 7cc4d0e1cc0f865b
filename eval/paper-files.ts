import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT } from '../bench/lib/paths';

/** The shared papers are read where they are, never copied into the project. */
export const PAPERS_DIR = join(ROOT, '..', 'shared', 'papers');
const EXPECTED_SECTIONS_DIR = join(ROOT, 'eval', 'expected-sections');

export interface PaperFile {
  /** The file name without ".pdf", which also names its expected headings. */
  stem: string;
  path: string;
}

export interface ExpectedSections {
  title: string;
  headings: string[];
}

export function paperFiles(): PaperFile[] {
  return readdirSync(PAPERS_DIR)
    .filter((name) => name.toLowerCase().endsWith('.pdf'))
    .sort()
    .map((name) => ({ stem: basename(name, name.slice(-4)), path: join(PAPERS_DIR, name) }));
}

/** The hand-written headings of a paper, or undefined while nobody has written them. */
export function expectedSections(stem: string): ExpectedSections | undefined {
  const path = join(EXPECTED_SECTIONS_DIR, `${stem}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExpectedSections) : undefined;
}
