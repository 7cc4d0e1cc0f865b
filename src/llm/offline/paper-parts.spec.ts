import { splitPaper } from './paper-parts';

const TEXT = [
  'Cooling Data Centres with Outside Air',
  'Ana Ruiz',
  '',
  'Abstract',
  'We cool servers with outside air.',
  '',
  '1 Introduction',
  'Cooling costs energy.',
  '2 Experiments',
  '2.1 Hardware',
  'Forty racks were used.',
  '3 Conclusion',
  'Outside air works.',
  'Acknowledgments',
  'We thank the operators.',
  'References',
  '[1] A. Author. Cooling. 2010.',
  'A. Sensor Placement',
  'Sensors sat on every rack.',
].join('\n');

describe('splitPaper', () => {
  it('finds the abstract, keeps the body sections and leaves out front and back matter', () => {
    const parts = splitPaper({ id: '1', text: TEXT });

    expect(parts.abstract).toBe('We cool servers with outside air.');
    expect(parts.body.map((part) => [part.heading, part.kind, part.text.trim()])).toEqual([
      ['1 Introduction', 'introduction', 'Cooling costs energy.'],
      ['2 Experiments', 'results', ''],
      ['2.1 Hardware', 'results', 'Forty racks were used.'],
      ['3 Conclusion', 'conclusion', 'Outside air works.'],
    ]);
  });

  it('counts every subsection of related work as related work, whatever its name', () => {
    const text = '1 Introduction\nCooling costs energy.\n2 Related Work\n2.1 Methods Using Water\nOthers cool with water.\n3 Method\nWe use air.';

    expect(splitPaper({ id: '1', text }).body.map((part) => [part.heading, part.kind])).toEqual([
      ['1 Introduction', 'introduction'],
      ['2 Related Work', 'related'],
      ['2.1 Methods Using Water', 'related'],
      ['3 Method', 'method'],
    ]);
  });

  it('prefers the abstract given with the document', () => {
    expect(splitPaper({ id: '1', text: TEXT, abstract: ' Given abstract. ' }).abstract).toBe('Given abstract.');
  });

  it('takes the text before the introduction as the abstract when there is no abstract heading', () => {
    const parts = splitPaper({ id: '1', text: 'We cool servers.\n\n1 Introduction\nCooling costs energy.\n2 Method\nFans.' });

    expect(parts.abstract).toBe('We cool servers.');
    expect(parts.body.map((part) => part.heading)).toEqual(['1 Introduction', '2 Method']);
  });

  it('treats a text without headings as one body part', () => {
    const parts = splitPaper({ id: '1', text: 'Just a paragraph of text.' });

    expect(parts).toEqual({ abstract: '', body: [{ kind: 'other', heading: '', text: 'Just a paragraph of text.' }] });
  });

  it('drops the words of a run-in heading but keeps its text', () => {
    const parts = splitPaper({ id: '1', text: 'Abstract—We cool servers with outside air in summer.\n\nI. INTRODUCTION\nCooling costs.' });

    expect(parts.abstract).toBe('We cool servers with outside air in summer.');
  });
});
