import { PaperSection } from '../llm/analysis';
import { detectSections, repairSmallCaps, runningLines, sectionKind } from './section-detector';

function names(sections: readonly PaperSection[]): string[] {
  return sections.map((section) => section.name);
}

/** Every section starts where its heading is written and runs to the next one, the last to the end of the text. */
function expectContiguous(text: string, sections: readonly PaperSection[]): void {
  sections.forEach((section, index) => {
    expect(text.startsWith(section.name.split(' ')[0], section.start)).toBe(true);
    expect(section.end).toBe(index + 1 < sections.length ? sections[index + 1].start : text.length);
    expect(section.start).toBeLessThan(section.end);
  });
}

const NUMBERED_PAPER = `Block-Sparse Attention for Long Legal Documents
Maria Keller and Tom Osei
Institute for Applied Language Technology

Abstract
Legal documents often exceed the context length of standard transformers. We propose a
block-sparse attention pattern that scales linearly with document length.

1 Introduction
Court decisions and contracts routinely run to tens of thousands of tokens. Our contributions are:
1. A block-sparse attention pattern with a learned global memory.
2. An evaluation on three legal corpora.

2 Related Work
Sparse attention has been explored with fixed windows and with learned routing.

3 Method
3.1 Block Sparse Attention
Each token attends to its own block, to the neighbouring blocks and to a small global memory.
3.2 Training Procedure
We train with a batch size of 32 documents for 40 epochs.
Table 1: Hyper-parameters.
1 Baseline 71.2 80.3
2 Ours 74.9 83.1

4 Experiments
4.1 Datasets
We use three corpora of court decisions.
4.2 Results
Our model improves accuracy by 3.7 points on average.

5 Conclusion
Block-sparse attention makes long legal documents tractable.

Acknowledgements
We thank the court archive for access to the data.

References
[1] A. Author and B. Author. Sparse transformers. 2019.
`;

const UNNUMBERED_PAPER = `Soil Moisture Estimation from Commodity Wi-Fi Signals

Abstract:
We estimate soil moisture from the channel state information of cheap routers.

Introduction
Irrigation wastes water when soil moisture is unknown. The survey
Results
of earlier deployments are mixed, as farmers report.

Related Work
Radar and buried probes measure soil moisture but are costly.

Methods
We bury a router and record channel state information every minute.

Results and Discussion
Estimates deviate from probe readings by 2.1% volumetric water content.

Conclusions and Future Work
Commodity radios are a viable, cheap moisture sensor.

Bibliography
Smith, J. Soil sensing. 2020.
`;

const IEEE_PAPER = `Robust Beamforming for Hearing Aids in Reverberant Rooms

Abstract—We present a beamformer that keeps speech intelligibility high in reverberant rooms by
estimating the relative transfer function online.

I. INTRODUCTION
Hearing aid users struggle most in reverberant rooms.
II. PROPOSED METHOD
A. Signal Model
The microphone signals are modelled in the short-time Fourier domain.
B. Online Estimation
The relative transfer function is tracked with a recursive estimator.
III. EXPERIMENTS
A. Setup
We simulate rooms with reverberation times between 0.2 and 0.9 seconds.
B. Results
The proposed beamformer improves intelligibility by 12% over the baseline.
IV. CONCLUSION
Online estimation makes beamforming robust to reverberation.
REFERENCES
[1] J. Smith, "Beamforming," IEEE Trans. Audio, 2010.
A. Jones, B. Brown, and C. White, "Hearing aids," in Proc. ICASSP, 2015.
`;

describe('detectSections', () => {
  it('finds the numbered headings of a two-level paper, with subsections as their own entries', () => {
    const sections = detectSections(NUMBERED_PAPER);

    expect(names(sections)).toEqual([
      'Abstract',
      '1 Introduction',
      '2 Related Work',
      '3 Method',
      '3.1 Block Sparse Attention',
      '3.2 Training Procedure',
      '4 Experiments',
      '4.1 Datasets',
      '4.2 Results',
      '5 Conclusion',
      'Acknowledgements',
      'References',
    ]);
    expectContiguous(NUMBERED_PAPER, sections);
    expect(sections[1].start).toBe(NUMBERED_PAPER.indexOf('1 Introduction'));
    expect(sections[sections.length - 1].end).toBe(NUMBERED_PAPER.length);
  });

  it('leaves out list items and table rows that start with a number', () => {
    const found = names(detectSections(NUMBERED_PAPER));

    expect(found.some((name) => name.includes('block-sparse attention pattern'))).toBe(false);
    expect(found.some((name) => name.includes('Baseline') || name.includes('Ours'))).toBe(false);
  });

  it('finds the usual headings of an unnumbered paper, trailing colon dropped', () => {
    const sections = detectSections(UNNUMBERED_PAPER);

    expect(names(sections)).toEqual([
      'Abstract',
      'Introduction',
      'Related Work',
      'Methods',
      'Results and Discussion',
      'Conclusions and Future Work',
      'Bibliography',
    ]);
    expectContiguous(UNNUMBERED_PAPER, sections);
  });

  it('does not take a heading word inside a running sentence for a heading', () => {
    const text = [
      'Abstract',
      'We revisit a question that was first raised in the',
      'Introduction',
      'of our earlier report and answer it here.',
      '',
      'Method',
      'We measure twice.',
    ].join('\n');

    expect(names(detectSections(text))).toEqual(['Abstract', 'Method']);
  });

  it('reads IEEE-style roman numerals, lettered subsections and a run-in abstract', () => {
    const sections = detectSections(IEEE_PAPER);

    expect(names(sections)).toEqual([
      'Abstract',
      'I. INTRODUCTION',
      'II. PROPOSED METHOD',
      'A. Signal Model',
      'B. Online Estimation',
      'III. EXPERIMENTS',
      'A. Setup',
      'B. Results',
      'IV. CONCLUSION',
      'REFERENCES',
    ]);
    expect(sections[0].start).toBe(IEEE_PAPER.indexOf('Abstract—'));
    expectContiguous(IEEE_PAPER, sections);
  });

  it('finds lettered appendices after the references', () => {
    const text = `${NUMBERED_PAPER}\nA. Proofs\nThe bound follows from Hölder's inequality.\n\nB. Additional Results\nMore tables.\n`;

    expect(names(detectSections(text)).slice(-3)).toEqual(['References', 'A. Proofs', 'B. Additional Results']);
  });

  it('takes a title-like line set apart by blank lines before a paragraph for a heading, as PDF extraction writes one', () => {
    const text = [
      'A Study of Detection',
      '',
      'Ann Author and Bo Author',
      '',
      'Mountain View Research Laboratory',
      '',
      'We study detection on two benchmarks and report what we found there.',
      'The findings hold on both benchmarks.',
      '',
      'A. Detection Baselines',
      '',
      'PASCAL VOC',
      '',
      'Following earlier work, we train on the union of two years of data',
      'and test on the held-out year.',
      '',
      'MS COCO',
      '',
      'The MS COCO dataset involves eighty object categories in total, and',
      'we evaluate with the standard metric.',
      '',
      'Mean Precision by Class',
      '',
      'Figure 3. Precision of each class on the validation set of the dataset.',
      'The baseline is shown in grey.',
    ].join('\n');

    expect(names(detectSections(text))).toEqual(['A. Detection Baselines', 'PASCAL VOC', 'MS COCO']);
  });

  it("leaves out numbered labels among a figure's short fragments", () => {
    const text = [
      '4. Experiments',
      'We compare four methods on the digit task, with the same network for all of them.',
      'SGD',
      '5.5 MOMENTUM',
      'ADAGRAD',
      '5 ADADELTA',
      '4.5',
      'Fig. 1. Comparison of learning rate methods.',
      '4.2. Sensitivity to Hyperparameters',
      'The learning rate matters less for our method than for the others we tried here.',
    ].join('\n');

    expect(names(detectSections(text))).toEqual(['4. Experiments', '4.2. Sensitivity to Hyperparameters']);
  });

  it('finds nothing in a text without headings', () => {
    const text = [
      'Wind turbines lose efficiency when ice forms on their blades. We measured ice accretion on',
      'twelve turbines over two winters and related it to power output.',
      '',
      'Power dropped by up to 18% during icing events, and heating the blades recovered most of it.',
    ].join('\n');

    expect(detectSections(text)).toEqual([]);
    expect(detectSections('')).toEqual([]);
  });

  it('joins a heading whose number and small-caps title were extracted on separate lines', () => {
    const text = [
      'A BSTRACT',
      'We introduce a solver.',
      '',
      '1',
      '',
      'I NTRODUCTION',
      '',
      'Solvers matter.',
      '',
      '2',
      '',
      'R ELATED W ORK',
      '',
      'Others solved it too.',
    ].join('\n');

    const sections = detectSections(text);

    expect(names(sections)).toEqual(['ABSTRACT', '1 INTRODUCTION', '2 RELATED WORK']);
    expect(sections[1].start).toBe(text.indexOf('1\n'));
  });

  it('ignores a page number above a running head and numbers that do not continue the sequence', () => {
    const running = 'Published as a conference paper at a workshop';
    const text = [
      '1 Introduction',
      'Text.',
      '',
      '2',
      '',
      running,
      '',
      'Intro text. And more text in a long enough paragraph line here.',
      '',
      '2 Method',
      'Text.',
      '3',
      '',
      running,
      '',
      '7 Gigantic Leap',
      'Text.',
      '3 Results',
      '4',
      running,
    ].join('\n');

    expect(names(detectSections(text))).toEqual(['1 Introduction', '2 Method', '3 Results']);
  });

  it('keeps a references heading that text extraction put before the conclusion', () => {
    const text = ['1 Introduction', 'Text.', '2 Method', 'Text.', '4 References', '[1] A book.', '3 Conclusion', 'Done.'].join('\n');

    expect(names(detectSections(text))).toEqual(['1 Introduction', '2 Method', '4 References', '3 Conclusion']);
  });

  it('reads markdown headings and Windows line ends', () => {
    const text = '# Graph Colouring\r\n\r\n## 1 Introduction\r\nColouring is hard.\r\n\r\n## 2 A Greedy Heuristic\r\nWe colour greedily.\r\n';

    const sections = detectSections(text);

    expect(names(sections)).toEqual(['Graph Colouring', '1 Introduction', '2 A Greedy Heuristic']);
    expect(sections[1].start).toBe(text.indexOf('## 1 Introduction'));
  });

  it('is deterministic', () => {
    expect(detectSections(IEEE_PAPER)).toEqual(detectSections(IEEE_PAPER));
  });

  it('handles a 400,000-character paper quickly', () => {
    const line = 'Measurements were repeated on every node of the cluster to rule out noise, and the\n';
    const body = line.repeat(30);
    const chapters = Array.from({ length: 20 }, (_, chapter) => {
      const subsections = Array.from({ length: 8 }, (_, sub) => `${chapter + 1}.${sub + 1} Load Balancing Run ${sub + 1}\n${body}`);
      return `${chapter + 1} Chapter ${chapter + 1}\n${body}${subsections.join('')}`;
    });
    const text = chapters.join('\n').slice(0, 400_000);
    detectSections(text);

    const started = performance.now();
    const sections = detectSections(text);
    const elapsed = performance.now() - started;

    expect(text.length).toBe(400_000);
    expect(sections.length).toBeGreaterThan(100);
    // Typically about 10 ms; the bound leaves room for slow, busy machines.
    expect(elapsed).toBeLessThan(100);
  });
});

describe('sectionKind', () => {
  it.each([
    ['Abstract', 'abstract'],
    ['1 Introduction', 'introduction'],
    ['2. RELATED WORK', 'related'],
    ['Background', 'related'],
    ['3 Method', 'method'],
    ['II. PROPOSED APPROACH', 'method'],
    ['3.2 Model Architecture', 'method'],
    ['4 Experiments', 'results'],
    ['4.3 Experimental Setup', 'results'],
    ['Results and Discussion', 'results'],
    ['Evaluation', 'results'],
    ['6 Discussion', 'discussion'],
    ['Limitations', 'discussion'],
    ['7 Conclusions and Future Work', 'conclusion'],
    ['Acknowledgments', 'acknowledgements'],
    ['ACKNOWLEDGEMENTS', 'acknowledgements'],
    ['References', 'references'],
    ['Bibliography', 'references'],
    ['Literature Cited', 'references'],
    ['Appendix A: Proofs', 'appendix'],
    ['3.1 Residual Learning', 'other'],
    ['A. Signal Model', 'method'],
  ])('classifies %s as %s', (name, kind) => {
    expect(sectionKind(name)).toBe(kind);
  });
});

describe('repairSmallCaps', () => {
  it('joins the letters text extraction split off small-caps words', () => {
    expect(repairSmallCaps('C ONVERGENCE A NALYSIS')).toBe('CONVERGENCE ANALYSIS');
    expect(repairSmallCaps('I NTRODUCTION')).toBe('INTRODUCTION');
    expect(repairSmallCaps('E XPERIMENT: M ULTI - LAYER N ETWORKS')).toBe('EXPERIMENT: MULTI-LAYER NETWORKS');
  });

  it('leaves the article "A" and mixed-case lines alone', () => {
    expect(repairSmallCaps('A NEW METHOD')).toBe('A NEW METHOD');
    expect(repairSmallCaps('A Note on Trees')).toBe('A Note on Trees');
  });
});

describe('runningLines', () => {
  it('finds short lines repeated on three or more pages, but not page numbers', () => {
    const header = 'Published as a conference paper at a workshop';
    const text = [header, '1', 'First page.', header, '2', 'Second page.', `  ${header}`, '1', 'Second page.'].join('\n');

    expect([...runningLines(text)]).toEqual([header]);
  });
});
