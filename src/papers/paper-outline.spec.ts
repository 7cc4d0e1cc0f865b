import { outlinePaper, withoutBackMatter } from './paper-outline';

const PAPER = [
  'A Study of Things',
  '',
  'Abstract',
  'We study things.',
  '',
  '1 Introduction',
  'Things matter.',
  '',
  '2 Method',
  '2.1 Data',
  'We collect things.',
  '',
  '3 Conclusion',
  'Things were studied.',
  '',
  'Acknowledgements',
  'We thank the funders.',
  '',
  'References',
  '[1] A. Author. Earlier things. 2001.',
  '',
  'A. Proofs',
  'Proof of everything.',
].join('\n');

describe('paper outline', () => {
  it('gives each section its kind in context: a topical subsection its parent\'s, a section after the references appendix', () => {
    expect(outlinePaper(PAPER).map(({ name, kind }) => [name, kind])).toEqual([
      ['Abstract', 'abstract'],
      ['1 Introduction', 'introduction'],
      ['2 Method', 'method'],
      ['2.1 Data', 'method'],
      ['3 Conclusion', 'conclusion'],
      ['Acknowledgements', 'acknowledgements'],
      ['References', 'references'],
      ['A. Proofs', 'appendix'],
    ]);
  });

  it('cuts acknowledgements, references and appendices out of what the LLM reads', () => {
    const kept = withoutBackMatter(PAPER);
    expect(kept).toContain('Things were studied.');
    expect(kept).toContain('We study things.');
    expect(kept).not.toMatch(/funders|Earlier things|Proof of everything/);
  });
});
