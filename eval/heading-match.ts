/** Section detection scored against hand-written headings, matched by normalised text. */

export interface HeadingScore {
  expected: number;
  found: number;
  matched: number;
  /** Expected headings the detector did not find, as written in the expected list. */
  missed: string[];
  /** Headings the detector found that are not in the expected list, as detected. */
  extra: string[];
}

/** Lower case, one space between words, no trailing punctuation: "1. INTRODUCTION:" and "1. Introduction" match. */
export function normaliseHeading(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s\p{P}]+$/u, '');
}

/** Each expected heading can be matched once, so a heading detected twice counts once. */
export function scoreHeadings(found: readonly string[], expected: readonly string[]): HeadingScore {
  const unmatched = new Map<string, string[]>();
  for (const heading of expected) {
    const key = normaliseHeading(heading);
    unmatched.set(key, [...(unmatched.get(key) ?? []), heading]);
  }
  const extra: string[] = [];
  for (const heading of found) {
    const waiting = unmatched.get(normaliseHeading(heading));
    if (waiting && waiting.length > 0) waiting.shift();
    else extra.push(heading);
  }
  const missed = [...unmatched.values()].flat();
  return { expected: expected.length, found: found.length, matched: found.length - extra.length, missed, extra };
}

export function precision(score: Pick<HeadingScore, 'found' | 'matched'>): number {
  return score.found === 0 ? Number.NaN : score.matched / score.found;
}

export function recall(score: Pick<HeadingScore, 'expected' | 'matched'>): number {
  return score.expected === 0 ? Number.NaN : score.matched / score.expected;
}
