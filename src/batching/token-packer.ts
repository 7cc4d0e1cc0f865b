/** An item with the input tokens it adds to a request. */
export interface Weighed<T> {
  item: T;
  tokens: number;
}

/** Whether a group of `count` items holding `tokens` input tokens in all may go in one request. */
export type GroupFits = (count: number, tokens: number) => boolean;

/**
 * Splits items, in arrival order, into the longest runs that `fits` accepts. An item that does not fit
 * on its own goes alone: it cannot be made smaller here.
 */
export function packByTokens<T>(items: readonly Weighed<T>[], fits: GroupFits): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let groupTokens = 0;
  for (const { item, tokens } of items) {
    if (group.length > 0 && !fits(group.length + 1, groupTokens + tokens)) {
      groups.push(group);
      group = [];
      groupTokens = 0;
    }
    group.push(item);
    groupTokens += tokens;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** A plain budget: at most `maxItems` items and `maxTokens` tokens. */
export const withinBudget =
  (maxTokens: number, maxItems = Number.POSITIVE_INFINITY): GroupFits =>
  (count, tokens) =>
    count <= maxItems && tokens <= maxTokens;
