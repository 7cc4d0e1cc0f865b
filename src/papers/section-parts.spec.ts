import { splitAlongSections } from './section-parts';

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('splitAlongSections', () => {
  const paper = [
    'A Study of Things',
    '',
    '1 Introduction',
    'Intro one. Intro two.',
    '',
    '2 Method',
    'Method paragraph one has several words in it.',
    '',
    'Method paragraph two has several more words in it.',
    '',
    '3 Results',
    'Results are good.',
  ].join('\n');

  it('keeps a paper that fits in one part', () => {
    expect(splitAlongSections(paper, 1_000, words)).toEqual([paper]);
  });

  it('cuts between sections, keeping whole sections together while they fit', () => {
    const parts = splitAlongSections(paper, 24, words);
    expect(parts.every((part) => words(part) <= 24)).toBe(true);
    expect(parts[0]).toContain('1 Introduction');
    expect(parts.some((part) => part.startsWith('2 Method') && part.includes('paragraph two'))).toBe(true);
    expect(parts.join(' ').split(/\s+/).join(' ')).toBe(paper.split(/\s+/).join(' '));
  });

  it('cuts a section too long on its own at paragraph ends, then lines, then words', () => {
    const parts = splitAlongSections(paper, 10, words);
    expect(parts.every((part) => words(part) <= 10)).toBe(true);
    expect(parts).toContain('2 Method\nMethod paragraph one has several words in it.');
    expect(splitAlongSections('x'.repeat(40), 1, (text) => Math.ceil(text.length / 10))).toHaveLength(4);
  });
});
