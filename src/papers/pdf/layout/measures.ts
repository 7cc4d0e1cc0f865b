/** Small statistics over many values, without spreading them into arguments (pages can hold hundreds of thousands). */

export function smallest(values: Iterable<number>): number {
  let result = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < result) result = value;
  return result;
}

export function largest(values: Iterable<number>): number {
  let result = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > result) result = value;
  return result;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The key with the largest total weight, such as the font most characters are set in. */
export function heaviest(weighted: Iterable<readonly [string, number]>): string {
  const totals = new Map<string, number>();
  for (const [key, weight] of weighted) totals.set(key, (totals.get(key) ?? 0) + weight);
  let best = '';
  let bestTotal = Number.NEGATIVE_INFINITY;
  for (const [key, total] of totals) {
    if (total > bestTotal) [best, bestTotal] = [key, total];
  }
  return best;
}
