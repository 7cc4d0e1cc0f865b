import { join } from 'node:path';

/** The repository root: the service's scripts/ and docs/ are found from here. */
export const ROOT = join(__dirname, '..', '..');
