import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ROOT } from '../bench/lib/paths';

/** The shared papers are read where they are, never copied into the project: `../shared/papers`, or PAPERS_DIR. */
export const PAPERS_DIR = process.env.PAPERS_DIR ? resolve(process.env.PAPERS_DIR) : join(ROOT, '..', 'shared', 'papers');
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

/** The papers whose headings were written down by hand, whether or not the PDFs are at hand. */
export function papersWithExpectedSections(): PaperFile[] {
  return readdirSync(EXPECTED_SECTIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => basename(name, '.json'))
    .map((stem) => ({ stem, path: join(PAPERS_DIR, `${stem}.pdf`) }));
}

/** The hand-written headings of a paper, or undefined while nobody has written them. */
export function expectedSections(stem: string): ExpectedSections | undefined {
  const path = join(EXPECTED_SECTIONS_DIR, `${stem}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExpectedSections) : undefined;
}
