/**
 * ROUGE as in Lin (2004), for comparing a summary with a reference: ROUGE-N from clipped n-gram overlap, ROUGE-L
 * from the longest common subsequence of words. Words are runs of lower-case letters and digits.
 */

export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

export function rougeTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Each n-gram of the summary counts at most as often as it occurs in the reference. */
export function rougeN(summary: string, reference: string, n: number): RougeScore {
  const summaryGrams = nGramCounts(rougeTokens(summary), n);
  const referenceGrams = nGramCounts(rougeTokens(reference), n);
  let overlap = 0;
  for (const [gram, count] of summaryGrams) overlap += Math.min(count, referenceGrams.get(gram) ?? 0);
  return score(overlap, total(summaryGrams), total(referenceGrams));
}

export function rougeL(summary: string, reference: string): RougeScore {
  const summaryTokens = rougeTokens(summary);
  const referenceTokens = rougeTokens(reference);
  return score(longestCommonSubsequence(summaryTokens, referenceTokens), summaryTokens.length, referenceTokens.length);
}

function nGramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let start = 0; start + n <= tokens.length; start++) {
    const gram = tokens.slice(start, start + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function total(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}

/** Length only, row by row, so memory stays linear in the reference's length. */
function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const word of a) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = word === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}

function score(overlap: number, summaryCount: number, referenceCount: number): RougeScore {
  const precision = summaryCount === 0 ? 0 : overlap / summaryCount;
  const recall = referenceCount === 0 ? 0 : overlap / referenceCount;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
