import { textRank } from './sentence-ranker';

describe('textRank', () => {
  const sentences = [
    ['pruning', 'channel', 'memory'],
    ['channel', 'pruning', 'reduce', 'memory', 'latency'],
    ['memory', 'budget', 'channel'],
    ['weather', 'rain', 'forecast'],
    ['pruning', 'memory', 'budget', 'channel', 'latency'],
  ];

  it('scores the sentences sharing most with the others highest and an unrelated one lowest', () => {
    const scores = textRank(sentences);

    const best = scores.indexOf(Math.max(...scores));
    expect([1, 4]).toContain(best);
    expect(scores[3]).toBe(Math.min(...scores));
  });

  it('gives scores that sum to one, like PageRank', () => {
    const total = textRank(sentences).reduce((sum, score) => sum + score, 0);

    expect(total).toBeCloseTo(1, 6);
  });

  it('is deterministic and independent of term order within a sentence', () => {
    const reordered = sentences.map((terms) => [...terms].reverse());

    expect(textRank(sentences)).toEqual(textRank(sentences));
    textRank(reordered).forEach((score, index) => expect(score).toBeCloseTo(textRank(sentences)[index], 12));
  });

  it('handles no sentences, one sentence and sentences without terms', () => {
    expect(textRank([])).toEqual([]);
    expect(textRank([['alone']])).toEqual([1]);
    expect(textRank([[], [], []])).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('ranks 400 sentences quickly', () => {
    const vocabulary = Array.from({ length: 300 }, (_, index) => `term${index}`);
    const many = Array.from({ length: 400 }, (_, index) => Array.from({ length: 15 }, (__, k) => vocabulary[(index * 7 + k * 13) % 300]));

    const started = performance.now();
    const scores = textRank(many);

    expect(scores).toHaveLength(400);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
