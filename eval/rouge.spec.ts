import { rougeL, rougeN, rougeTokens } from './rouge';

describe('ROUGE', () => {
  it('tokenises into lower-case runs of letters and digits', () => {
    expect(rougeTokens('The ResNet-152 reaches 3.57% error!')).toEqual(['the', 'resnet', '152', 'reaches', '3', '57', 'error']);
    expect(rougeTokens(' -- ')).toEqual([]);
  });

  it('computes ROUGE-1 from unigram overlap', () => {
    // Summary: the cat was found under the bed (7); reference: the cat was under the bed (6); overlap 6.
    const score = rougeN('the cat was found under the bed', 'the cat was under the bed', 1);

    expect(score.precision).toBeCloseTo(6 / 7);
    expect(score.recall).toBeCloseTo(1);
    expect(score.f1).toBeCloseTo((2 * (6 / 7) * 1) / (6 / 7 + 1));
  });

  it('clips repeated n-grams to their count in the reference', () => {
    // "the" six times in the summary, twice in the reference: only two count.
    const score = rougeN('the the the the the the', 'the cat on the mat', 1);

    expect(score.precision).toBeCloseTo(2 / 6);
    expect(score.recall).toBeCloseTo(2 / 5);
  });

  it('computes ROUGE-2 from bigram overlap', () => {
    // Summary bigrams: the cat, cat was, was found, found under, under the, the bed (6).
    // Reference bigrams: the cat, cat was, was under, under the, the bed (5). Shared: 4.
    const score = rougeN('the cat was found under the bed', 'the cat was under the bed', 2);

    expect(score.precision).toBeCloseTo(4 / 6);
    expect(score.recall).toBeCloseTo(4 / 5);
    expect(score.f1).toBeCloseTo((2 * (4 / 6) * (4 / 5)) / (4 / 6 + 4 / 5));
  });

  it('computes ROUGE-L from the longest common subsequence', () => {
    // LCS of "police killed the gunman" and "police kill the gunman" is "police the gunman" (3).
    const score = rougeL('police kill the gunman', 'police killed the gunman');
    expect(score.precision).toBeCloseTo(3 / 4);
    expect(score.recall).toBeCloseTo(3 / 4);

    // Word order matters: "the gunman kill police" shares only "the gunman" in order with the reference (2).
    const reordered = rougeL('the gunman kill police', 'police killed the gunman');
    expect(reordered.f1).toBeCloseTo(2 / 4);
  });

  it('scores nothing in common, and empty texts, as zero', () => {
    expect(rougeN('alpha beta', 'gamma delta', 1)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rougeN('', 'gamma delta', 2)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rougeL('alpha', '')).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('gives identical texts a perfect score', () => {
    const text = 'We present a residual learning framework.';
    for (const score of [rougeN(text, text, 1), rougeN(text, text, 2), rougeL(text, text)]) {
      expect(score).toEqual({ precision: 1, recall: 1, f1: 1 });
    }
  });
});
