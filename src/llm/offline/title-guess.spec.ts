import { guessTitle } from './title-guess';

describe('guessTitle', () => {
  it('prefers the given title, whitespace collapsed', () => {
    expect(guessTitle({ id: '1', title: '  Deep   Nets \n', text: 'Another Title\n\nBody.' }, undefined)).toBe('Deep Nets');
  });

  it('takes the first short line, skipping venue notes and arXiv stamps', () => {
    const text = 'Published as a conference paper at ICLR 2015\n\nA Method for Sparse Coding\nJane Doe\n\nAbstract\nWe code.';

    expect(guessTitle({ id: '1', text }, undefined)).toBe('A Method for Sparse Coding');
  });

  it('joins a title in capitals set on two lines and repairs small capitals', () => {
    const text = 'INTERFERENCE REDUCTION IN MUSIC RECORDINGS\nWITH KERNEL MODELS\nJane Doe\n';

    expect(guessTitle({ id: '1', text }, undefined)).toBe('INTERFERENCE REDUCTION IN MUSIC RECORDINGS WITH KERNEL MODELS');
    expect(guessTitle({ id: '1', text: 'S PARSE C ODING AT S CALE\n\nBody text.' }, undefined)).toBe('SPARSE CODING AT SCALE');
  });

  it('falls back to the first words of the first sentence when the text opens with a heading or a paragraph', () => {
    const sentence = 'Graph colouring is hard for many classes of graphs, even planar ones, as we recall here.';

    expect(guessTitle({ id: '1', text: `Introduction\n${sentence}` }, sentence)).toBe('Graph colouring is hard for many classes of graphs, even planar ones');
    expect(guessTitle({ id: '1', text: 'Graph colouring is hard for many classes of\ngraphs.' }, sentence)).toBe(
      'Graph colouring is hard for many classes of graphs, even planar ones',
    );
  });

  it('is never empty', () => {
    expect(guessTitle({ id: '1', text: '' }, undefined)).toBe('Untitled');
    expect(guessTitle({ id: '1', text: ' \n ' }, undefined)).toBe('Untitled');
  });
});
