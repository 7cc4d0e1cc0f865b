import { existsSync } from 'node:fs';
import { PAPERS_DIR } from '../../eval/paper-files';

/**
 * The shared papers live beside the project, not in it. Where a checkout has none, the suites that read
 * them are skipped, and say so, rather than failing every other test with them.
 */
export const sharedPapersPresent = existsSync(PAPERS_DIR);

export const describeWithSharedPapers: jest.Describe = sharedPapersPresent ? describe : describe.skip;

if (!sharedPapersPresent) {
  process.stderr.write(`No shared papers at ${PAPERS_DIR} (set PAPERS_DIR): the suites that read them are skipped.\n`);
}
