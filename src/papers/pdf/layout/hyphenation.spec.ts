import { joinHyphenatedWords } from './hyphenation';

describe('joinHyphenatedWords', () => {
  it('moves the rest of a broken word up to its first part', () => {
    expect(joinHyphenatedWords('they are differ-\nent in kind')).toBe('they are different\nin kind');
    expect(joinHyphenatedWords('on differ-\nent.\nNext line')).toBe('on different.\nNext line');
  });

  it('joins across a page break, which stays at the start of the next line', () => {
    expect(joinHyphenatedWords('the optimi-\n\fzation works')).toBe('the optimization\n\fworks');
  });

  it('keeps the hyphen of compounds', () => {
    expect(joinHyphenatedWords('a state-of-the-\nart method')).toBe('a state-of-the-art\nmethod');
    expect(joinHyphenatedWords('our 152-\nlayer net')).toBe('our 152-layer\nnet');
    expect(joinHyphenatedWords('a well-known idea; it is well-\nknown')).toBe('a well-known idea; it is well-known');
  });

  it('leaves hyphens before capitals and dashes alone', () => {
    expect(joinHyphenatedWords('Non-\nNegative Matrix')).toBe('Non-\nNegative Matrix');
    expect(joinHyphenatedWords('results -\nand more')).toBe('results -\nand more');
  });
});
