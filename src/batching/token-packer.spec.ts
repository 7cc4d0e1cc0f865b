import { packByTokens, withinBudget } from './token-packer';

const weighed = (tokens: number[]) => tokens.map((count, index) => ({ item: `d${index}`, tokens: count }));

describe('packByTokens', () => {
  it('fills each group up to the token budget, keeping arrival order', () => {
    expect(packByTokens(weighed([300, 300, 300, 300, 300]), withinBudget(1_000, 16))).toEqual([['d0', 'd1', 'd2'], ['d3', 'd4']]);
  });

  it('closes a group at maxItems even with tokens to spare', () => {
    expect(packByTokens(weighed([10, 10, 10, 10, 10]), withinBudget(1_000, 2))).toEqual([['d0', 'd1'], ['d2', 'd3'], ['d4']]);
  });

  it('sends an item over the budget alone, between the groups around it', () => {
    expect(packByTokens(weighed([200, 5_000, 200, 200]), withinBudget(1_000, 16))).toEqual([['d0'], ['d1'], ['d2', 'd3']]);
  });

  it('asks the budget about the whole group, so a cost per item beside the tokens can close it', () => {
    const answerTokensPerItem = 100;
    const fits = (count: number, tokens: number) => tokens + answerTokensPerItem * count <= 1_000;
    expect(packByTokens(weighed([300, 300, 300]), fits)).toEqual([['d0', 'd1'], ['d2']]);
  });

  it('packs nothing into nothing', () => {
    expect(packByTokens([], withinBudget(1_000, 16))).toEqual([]);
  });
});
