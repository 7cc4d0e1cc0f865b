/** An item with the input tokens it adds to a request. */
export interface Weighed<T> {
  item: T;
  tokens: number;
}

/**
 * Splits items, in arrival order, into groups of at most `maxItems` whose tokens add up to at most
 * `maxTokens`. An item over the budget on its own goes alone: it cannot be made smaller here.
 */
export function packByTokens<T>(items: readonly Weighed<T>[], maxTokens: number, maxItems: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let groupTokens = 0;
  for (const { item, tokens } of items) {
    if (group.length > 0 && (group.length >= maxItems || groupTokens + tokens > maxTokens)) {
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
