import { normaliseHeading, precision, recall, scoreHeadings } from './heading-match';

describe('heading matching', () => {
  it('normalises case, spaces and trailing punctuation', () => {
    expect(normaliseHeading('  1.  INTRODUCTION: ')).toBe('1. introduction');
    expect(normaliseHeading('2.1 Related   Work.')).toBe('2.1 related work');
    expect(normaliseHeading('Abstract')).toBe('abstract');
  });

  it('counts matches, misses and extras, each expected heading matched once', () => {
    const score = scoreHeadings(['Abstract', '1 INTRODUCTION', '1 Introduction', 'So we use'], ['Abstract', '1 Introduction', '2 Method']);

    expect(score).toEqual({ expected: 3, found: 4, matched: 2, missed: ['2 Method'], extra: ['1 Introduction', 'So we use'] });
    expect(precision(score)).toBeCloseTo(2 / 4);
    expect(recall(score)).toBeCloseTo(2 / 3);
  });

  it('has no precision without findings and no recall without expectations', () => {
    expect(precision(scoreHeadings([], ['Abstract']))).toBeNaN();
    expect(recall(scoreHeadings(['Abstract'], []))).toBeNaN();
  });
});
