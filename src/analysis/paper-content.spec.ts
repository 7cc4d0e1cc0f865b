import { hasText, normalisePaper, normaliseText, paperHash } from './paper-content';

describe('paper content', () => {
  it('folds ligatures, odd spaces and line ends, and collapses runs of blank space', () => {
    expect(normaliseText('  The \uFB01rst\u00A0result\r\n\r\n\r\n\r\nis   ﬂat \t ')).toBe('The first result\n\nis flat');
  });

  it('leaves text that is already normal as it is, and normalises every near miss', () => {
    const clean = 'A plain paragraph.\nA second line.\n\nA new paragraph ends here.';
    expect(normaliseText(clean)).toBe(clean);
    for (const [input, expected] of [
      ['two  spaces', 'two spaces'],
      ['line \nbreak', 'line\nbreak'],
      ['line\n break', 'line\nbreak'],
      ['a\n\n\n\nb', 'a\n\nb'],
      [' padded ', 'padded'],
      ['trailing space ', 'trailing space'],
      ['trailing break\n', 'trailing break'],
      ['\nleading break', 'leading break'],
      ['a\n\n\nb', 'a\n\nb'],
      ['space  \n\nrun', 'space\n\nrun'],
      ['tab\there', 'tab here'],
      ['caf\u00e9', 'caf\u00e9'],
      ['\uFB01', 'fi'],
      ['unit\u001fseparated, nul\u0000, delete\u007f and C1\u009fend', 'unit separated, nul , delete and C1 end'],
      ['first line\u0085next line', 'first line\nnext line'],
      ['end of page \n\f Next page', 'end of page\n\fNext page'],
    ]) {
      expect(normaliseText(input)).toBe(expected);
    }
  });

  it('tells text that normalising would leave empty', () => {
    expect(hasText(' \u0000\u0085\t\u009f\n')).toBe(false);
    expect(hasText('\u0000x')).toBe(true);
    // Zero-width space and joiner, direction marks, soft hyphen, a lone combining accent, private use, half a surrogate pair.
    expect(hasText('\u200b\u200d\u200f\u202e\u00ad \u0301\ue000\ud800')).toBe(false);
    for (const readable of ['é', '7', '?', '∑', '中', '😀']) expect(hasText(`\u200b${readable}`)).toBe(true);
    expect(normaliseText(' \u0000\u0085\t\u009f\n')).toBe('');
  });

  it('hashes copies that differ only in such details alike', () => {
    const a = normalisePaper({ title: ' Deep  nets', abstract: 'We show X.\r\n', text: '' });
    const b = normalisePaper({ title: 'Deep nets', abstract: 'We show X.' });
    expect(paperHash(a)).toBe(paperHash(b));
    expect(a).toEqual({ title: 'Deep nets', abstract: 'We show X.', text: '' });
  });

  it('keeps title, abstract and text apart in the hash', () => {
    const asTitle = paperHash(normalisePaper({ title: 'A', text: 'B' }));
    const asText = paperHash(normalisePaper({ text: 'A\u0000B' }));
    const moved = paperHash(normalisePaper({ abstract: 'A', text: 'B' }));
    expect(new Set([asTitle, asText, moved]).size).toBe(3);
  });

  it('keeps the fields apart even when one carries the separator', () => {
    const nulInTitle = paperHash(normalisePaper({ title: 'A\u0000B', text: 'C' }));
    const nulInAbstract = paperHash(normalisePaper({ title: 'A', abstract: 'B\u0000', text: 'C' }));
    expect(nulInTitle).not.toBe(nulInAbstract);
  });
});
