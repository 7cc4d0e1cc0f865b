import { composeDocument } from './compose-document';
import { PdfPage, TextItem } from './page-content';

const WIDTH = 612;
const HEIGHT = 792;
const BODY = 10;
const LEADING = 12;

function item(text: string, x: number, y: number, size = BODY, font = 'body'): TextItem {
  return { text, x, y, width: text.length * size * 0.5, size, font };
}

function column(lines: readonly string[], x: number, top: number): TextItem[] {
  return lines.map((text, index) => item(text, x, top - index * LEADING));
}

/** A column of prose: lines long enough to fill a 236-point column at 5 points a character. */
function prose(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${label} line ${String(index + 1).padStart(2, '0')} of running text in this column here`.slice(0, 47));
}

function page(items: TextItem[]): PdfPage {
  return { width: WIDTH, height: HEIGHT, items };
}

describe('composeDocument', () => {
  it('reads a two-column page column by column, with the full-width title above both', () => {
    const left = prose('left', 30);
    const right = prose('right', 30);
    const document = composeDocument([
      page([item('A Synthetic Study of Columns', 150, 720, 16, 'bold'), ...column(left, 50, 680), ...column(right, 308, 680)]),
    ]);

    const lines = document.text.split('\n').filter((line) => line !== '');
    expect(document.title).toBe('A Synthetic Study of Columns');
    expect(lines).toEqual(['A Synthetic Study of Columns', ...left, ...right]);
  });

  it('keeps a figure caption spanning both columns between the text above and below it', () => {
    const document = composeDocument([
      page([
        ...column(prose('upper left', 10), 50, 700),
        ...column(prose('upper right', 10), 308, 700),
        item('Figure 1. A caption that runs across the whole width of the page, from margin to margin.', 50, 560, 9),
        ...column(prose('lower left', 20), 50, 520),
        ...column(prose('lower right', 20), 308, 520),
      ]),
    ]);

    const order = ['upper left line 10', 'upper right line 01', 'upper right line 10', 'Figure 1.', 'lower left line 01', 'lower left line 20', 'lower right line 01'];
    const positions = order.map((text) => document.text.indexOf(text));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('drops running heads and page numbers, and starts each page after the first with a form feed', () => {
    const bodies = ['first', 'second', 'third'].map((name) => prose(`${name} page`, 5));
    const pages = bodies.map((body, index) =>
      page([item('Journal of Synthetic Results, Volume 7', 200, 760, 8), ...column(body, 100, 700), item(String(index + 1), 300, 40, 8)]),
    );
    const { text } = composeDocument(pages);

    expect(text.split('\f').map((pageText) => pageText.trim().split('\n'))).toEqual(bodies);
  });

  it('puts headings on lines of their own and separates paragraphs with a blank line', () => {
    const { text } = composeDocument([
      page([
        item('1 Introduction', 72, 700, 12, 'bold'),
        item('The first paragraph starts here and goes on for a', 72, 680),
        item('while before it ends.', 72, 668),
        item('The second paragraph follows after a visible gap and', 72, 640),
        item('ends as well.', 72, 628),
        item('2 Method', 72, 600, 12, 'bold'),
        item('Method text.', 72, 580),
      ]),
    ]);

    expect(text).toBe(
      [
        '1 Introduction',
        'The first paragraph starts here and goes on for a\nwhile before it ends.',
        'The second paragraph follows after a visible gap and\nends as well.',
        '2 Method',
        'Method text.',
      ].join('\n\n'),
    );
  });

  it('joins words hyphenated at line ends but keeps the hyphens of compounds, and writes ligatures as letters', () => {
    const { text } = composeDocument([
      page([
        item('Residual networks are much more effi-', 72, 700),
        item('cient than plain ones and state-of-the-', 72, 688),
        item('art on several bench-', 72, 676),
        item('marks; the ﬁrst results are 152-', 72, 664),
        item('layer models.', 72, 652),
      ]),
    ]);

    expect(text).toBe(
      'Residual networks are much more efficient\nthan plain ones and state-of-the-art\non several benchmarks;\nthe first results are 152-layer\nmodels.',
    );
  });
});
