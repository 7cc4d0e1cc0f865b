import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { precision, recall, scoreHeadings } from '../../../eval/heading-match';
import { expectedSections, PAPERS_DIR } from '../../../eval/paper-files';
import { describeWithSharedPapers } from '../../../test/support/shared-papers';
import { detectSections } from '../section-detector';
import { ExtractedPdf, PdfTextExtractor } from './pdf-text-extractor';

const PAGE_COUNTS: Record<string, number> = {
  'resnet-1512.03385': 12,
  'adam-1412.6980': 15,
  'distillation-1503.02531': 9,
  'adadelta-1212.5701': 6,
  'ieee-07952116': 5,
};
const PAPER_NAMES = Object.keys(PAGE_COUNTS);

function expectInOrder(text: string, fragments: readonly string[]): void {
  const positions = fragments.map((fragment) => text.indexOf(fragment));
  expect(positions.filter((position) => position < 0)).toEqual([]);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

describeWithSharedPapers('PdfTextExtractor on published papers', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 20_000 });
  const papers = new Map<string, ExtractedPdf>();

  beforeAll(async () => {
    for (const name of PAPER_NAMES) papers.set(name, await extractor.extract(readFileSync(join(PAPERS_DIR, `${name}.pdf`))));
  }, 60_000);

  afterAll(() => extractor.close());

  it.each(PAPER_NAMES)('reads %s with its title and page count', (name) => {
    const paper = papers.get(name) as ExtractedPdf;
    expect(paper.title).toBe(expectedSections(name)!.title);
    expect(paper.pages).toBe(PAGE_COUNTS[name]);
    expect(paper.text.split('\f')).toHaveLength(PAGE_COUNTS[name]);
  });

  it('reads the two-column first page of ResNet column by column', () => {
    const firstPage = (papers.get('resnet-1512.03385') as ExtractedPdf).text.split('\f')[0];
    expect(firstPage).toContain(
      'Deeper neural networks are more difficult to train. We\npresent a residual learning framework to ease the training\n',
    );
    // The left column ends in the introduction, the right one opens with Figure 1 and the sentence's end.
    expectInOrder(firstPage, [
      'Abstract',
      'on CIFAR-10 with 100 and 1000 layers.',
      '1. Introduction',
      'visual recognition tasks [8, 12, 7, 32, 27] have also',
      'Figure 1. Training error (left) and test error (right) on CIFAR-10',
      'greatly benefited from very deep models.',
      'Driven by the significance of depth, a question arises: Is\nlearning better networks as easy as stacking more layers?',
    ]);
  });

  it('leaves out running heads, page numbers and arXiv stamps', () => {
    const adam = (papers.get('adam-1412.6980') as ExtractedPdf).text;
    expect(adam).not.toContain('Published as a conference paper at ICLR 2015');
    expect((papers.get('resnet-1512.03385') as ExtractedPdf).text).not.toContain('[cs.CV]');
    expect((papers.get('distillation-1503.02531') as ExtractedPdf).text).not.toContain('[stat.ML]');
    const lastLines = adam.split('\f').map((page) => page.trim().split('\n').at(-1));
    expect(lastLines.filter((line, index) => line === String(index + 1))).toEqual([]);
  });

  it('joins words hyphenated at line ends', () => {
    const resnet = (papers.get('resnet-1512.03385') as ExtractedPdf).text;
    expect(resnet).toContain('We explicitly reformulate the layers as learning\nresidual functions');
    for (const paper of papers.values()) expect(paper.text).not.toMatch(/\p{Ll}-\n\f?\p{Ll}/u);
  });

  it.each(PAPER_NAMES)('gives the section detector what it needs to find the headings of %s', (name) => {
    const found = detectSections((papers.get(name) as ExtractedPdf).text).map((section) => section.name);
    const score = scoreHeadings(found, expectedSections(name)!.headings);
    expect(precision(score)).toBeGreaterThanOrEqual(0.9);
    expect(recall(score)).toBeGreaterThanOrEqual(0.9);
  });
});
