import { collapseWhitespace, proseParagraphs, protectAbbreviations, restoreAbbreviations, withoutLines } from './prose-text';

describe('proseParagraphs', () => {
  it('joins wrapped lines and undoes end-of-line hyphenation', () => {
    const text = 'The network is pruned with a learn-\nable gate per channel, which keeps the\nmodel small.';

    expect(proseParagraphs(text)).toEqual(['The network is pruned with a learnable gate per channel, which keeps the model small.']);
  });

  it('drops figure labels, axis ticks and table cells standing in blocks of their own', () => {
    const text = ['Accuracy improves with depth, as the next figure shows in detail.', '', '20', '10', '', 'test error (%)', '', 'SGD', 'ADAM', '', 'The gap closes after 40 epochs of training.'].join('\n');

    expect(proseParagraphs(text)).toEqual(['Accuracy improves with depth, as the next figure shows in detail.', 'The gap closes after 40 epochs of training.']);
  });

  it('drops figure and table captions whole, not only their labels', () => {
    const text = [
      'Deeper networks are harder to train, as the next figure shows.',
      '',
      'Figure 1. Training error (left) and test error (right) on CIFAR-10',
      'with 20-layer and 56-layer plain networks.',
      '',
      'Table 2: Top-1 error rates of the networks on the validation set.',
      '',
      'Table 2 shows that the residual networks train better.',
    ].join('\n');

    expect(proseParagraphs(text)).toEqual([
      'Deeper networks are harder to train, as the next figure shows.',
      'Table 2 shows that the residual networks train better.',
    ]);
  });

  it('ends a paragraph at a short line without a sentence end, such as a leftover heading', () => {
    const text = 'We describe the data set in the following paragraphs in full.\nData Collection\nSensors were read every minute during the whole summer.';

    const paragraphs = proseParagraphs(text);

    expect(paragraphs).toHaveLength(2);
    expect(paragraphs[1]).toBe('Sensors were read every minute during the whole summer.');
  });
});

describe('abbreviations', () => {
  it('hides the periods of abbreviations from the sentence splitter and restores them afterwards', () => {
    const text = 'As Fig. 3 and Eq. (2) show, and as Smith et al. [4] found, see Sec. 5 and p. 7 vs. No. 4.';

    const protectedText = protectAbbreviations(text);

    expect(protectedText).not.toMatch(/\b(Fig|Eq|al|Sec|vs|No)\./);
    expect(restoreAbbreviations(protectedText)).toBe(text);
  });
});

describe('withoutLines', () => {
  it('removes the given lines wherever they stand, whatever their indentation', () => {
    const header = 'Published as a conference paper at a workshop';
    const text = [header, 'First page.', `  ${header}`, 'Second page.'].join('\n');

    expect(withoutLines(text, new Set([header]))).toBe('First page.\nSecond page.');
  });
});

describe('collapseWhitespace', () => {
  it('collapses whitespace and removes control and invisible characters', () => {
    expect(collapseWhitespace('  a\u00ADb \n\t c\u0000d  ')).toBe('ab c d');
  });
});
