import { AnalysisFields, PaperDocument } from '../analysis';
import { EXTRACTIVE_ANALYZER_VERSION, ExtractiveAnalyzer } from './extractive-analyzer';

/** A synthetic paper written for these tests: numbered sections and subsections, abstract in the text. */
const PAPER = `Budget-Aware Channel Pruning for Convolutional Networks on Microcontrollers

Lena Vogt, Arjun Mehta
Department of Embedded Systems, Example University

Abstract
Convolutional networks are too large for the microcontrollers found in battery-powered sensors. We present
budget-aware channel pruning, a method that removes whole convolutional channels until a network fits a given
memory and latency budget. On three keyword spotting and image classification benchmarks, the pruned networks
keep accuracy within one point of the original while needing 6 times less memory.

1 Introduction
Battery-powered sensors increasingly run neural networks directly on microcontrollers. Such devices offer a few
hundred kilobytes of memory and a processor clocked at less than 200 MHz. Existing compression methods fail to
respect these hard limits, because they optimise the number of parameters rather than the peak memory used during
inference. Channel pruning is attractive for microcontrollers because removing a channel shrinks both the weights
and the activation buffers. In this paper we propose budget-aware channel pruning, which treats the memory and
latency budget of the target device as a hard constraint. Our contributions are a differentiable estimate of peak
memory, a pruning schedule driven by that estimate, and an evaluation on three benchmarks.

2 Related Work
Magnitude pruning removes individual weights with small absolute values [3]. Structured pruning instead removes
filters or channels, which produces dense layers that run efficiently on simple hardware [5, 7]. Neural
architecture search for microcontrollers designs small networks from scratch but requires thousands of GPU hours
[9]. Quantisation to eight-bit integers is complementary to pruning and is used in all our experiments.

3 Method
3.1 Peak Memory Estimate
We model the peak memory of a network as the largest sum of input and output activation buffers over all layers.
Each channel carries a learnable gate between zero and one, and the memory estimate is computed from the expected
number of open gates. The estimate is differentiable, so the gates can be trained with gradient descent together
with the network weights.
3.2 Pruning Schedule
We train the gated network with a loss that adds a penalty whenever the estimated memory or latency exceeds the
budget. The penalty weight grows linearly during training, so the network first learns the task and then
gradually closes gates. After training, channels whose gates are below 0.5 are removed and the network is
fine-tuned for ten epochs.
Figure 2: Gate values during training for the second convolutional layer of the keyword spotting network.

4 Experiments
4.1 Setup
We evaluate on the Speech Commands keyword spotting dataset, on CIFAR-10 and on a visual wake words dataset. All
networks are quantised to eight-bit integers and deployed on a Cortex-M4 microcontroller with 256 kB of memory.
We compare against magnitude pruning, uniform channel scaling and a network found by architecture search.
4.2 Results
Budget-aware channel pruning reaches 94.1% accuracy on Speech Commands while using 6 times less peak memory than
the original network. On CIFAR-10 the pruned network loses 0.8 points of accuracy and runs 3.2 times faster than
the unpruned baseline. Our method outperforms uniform channel scaling by 2.5 points at the same memory budget on
all three datasets. We find that the pruned networks keep more channels in early layers, where activation buffers
dominate the peak memory.
Table 1: Accuracy and peak memory of the pruned networks on the three benchmarks.

5 Discussion
The learned gates show that early layers are the memory bottleneck on microcontrollers, which confirms the
motivation for a memory-aware estimate. The same schedule transfers to latency budgets without changes to the
loss.

6 Conclusion
We presented budget-aware channel pruning, which fits convolutional networks into the memory of
microcontrollers. Our results show that a differentiable peak memory estimate is enough to prune networks to a
hard budget with little loss of accuracy.

Acknowledgements
We thank the embedded systems lab for lending us the development boards used in every experiment.

References
[1] A. Author. Pruning networks for small devices. In Proceedings of a Conference on Learning, 2019.
[2] B. Author and C. Author. Memory-efficient inference. arXiv preprint arXiv:2001.00001, 2020.
`;

const ABSTRACT = section(PAPER, 'Abstract\n', '1 Introduction');

const LIMITATIONS = [
  'A limitation of our approach is that the memory estimate ignores the memory used by the runtime library.',
  'The method also does not handle networks with skip connections, which we leave for future work.',
];

const PAPER_WITH_LIMITATIONS = PAPER.replace(
  'without changes to the\nloss.',
  `without changes to the\nloss. ${LIMITATIONS.join('\n')}`,
);

/** A second synthetic paper, with unnumbered headings and no abstract in its text. */
const UNNUMBERED_TEXT = `Introduction
Urban heat islands raise night temperatures in dense neighbourhoods and increase heat-related illness among
older residents. Street trees cool their surroundings, but cities lack data on where planting helps most. We
propose a street-level cooling model that predicts night temperatures from tree canopy, building height and
surface materials.

Methods
We installed 120 low-cost temperature loggers on lamp posts across four districts of a mid-sized city. The
cooling model is a gradient boosted regression trained on canopy cover, sky view factor and surface albedo
derived from aerial images. We train the model on one summer of hourly readings and validate it on the next
summer.

Results
The cooling model predicts night temperatures with a mean absolute error of 0.4 degrees on the validation
summer. Streets with more than 30% canopy cover are on average 1.8 degrees cooler at night than streets without
trees. Our model outperforms a land-use regression baseline by 35% in mean absolute error.

Discussion
Canopy cover matters most in districts with tall buildings, where the sky view factor is already small. Planting
plans can use the model to rank streets by expected cooling per tree.

Conclusion
A street-level cooling model built from cheap loggers and aerial images guides tree planting towards the streets
that gain most.
`;

const UNNUMBERED_ABSTRACT =
  'We measure how street trees cool dense neighbourhoods at night and build a model that tells cities where to plant.';

function section(text: string, from: string, to: string): string {
  return text.slice(text.indexOf(from) + from.length, text.indexOf(to)).trim();
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function sentenceCount(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])/).length;
}

function expectEveryFieldFilled(fields: AnalysisFields): void {
  expect(fields.title.length).toBeGreaterThan(0);
  expect(fields.summary.length).toBeGreaterThan(0);
  expect(fields.methodology.length).toBeGreaterThan(0);
  expect(fields.results.length).toBeGreaterThan(0);
  expect(Array.isArray(fields.key_findings)).toBe(true);
  expect(Array.isArray(fields.limitations)).toBe(true);
  expect(Array.isArray(fields.keywords)).toBe(true);
  for (const text of [fields.title, fields.summary, fields.methodology, fields.results, ...fields.key_findings, ...fields.limitations, ...fields.keywords]) {
    expect(text).toBe(text.trim());
    expect(text).not.toMatch(/\s{2,}|\n/);
  }
}

describe('ExtractiveAnalyzer', () => {
  const analyzer = new ExtractiveAnalyzer();
  const analyze = (document: Omit<PaperDocument, 'id'>): AnalysisFields => analyzer.analyze({ id: 'paper-1', ...document });

  it('names itself with its version', () => {
    expect(ExtractiveAnalyzer.modelName).toBe(`extractive-textrank-${EXTRACTIVE_ANALYZER_VERSION}`);
    expect(ExtractiveAnalyzer.modelName).toMatch(/^extractive-textrank-\d+\.\d+$/);
  });

  describe('on a numbered paper', () => {
    const fields = analyze({ text: PAPER });
    const body = flat(PAPER.slice(PAPER.indexOf('1 Introduction'), PAPER.indexOf('Acknowledgements')));
    const backMatter = flat(PAPER.slice(PAPER.indexOf('Acknowledgements')));

    it('fills every field', () => {
      expectEveryFieldFilled(fields);
      expect(fields.key_findings.length).toBeGreaterThanOrEqual(3);
      expect(fields.keywords.length).toBeGreaterThanOrEqual(5);
    });

    it('takes the title from the first line', () => {
      expect(fields.title).toBe('Budget-Aware Channel Pruning for Convolutional Networks on Microcontrollers');
    });

    it('summarises the body in 3 to 5 sentences of the paper, in reading order, not copying the abstract', () => {
      const count = sentenceCount(fields.summary);
      expect(count).toBeGreaterThanOrEqual(3);
      expect(count).toBeLessThanOrEqual(5);
      expect(fields.summary.length).toBeLessThanOrEqual(1200);

      const sentences = fields.summary.split(/(?<=\.)\s+(?=[A-Z])/);
      const positions = sentences.map((sentence) => body.indexOf(sentence));
      expect(positions.every((position) => position >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const sentence of sentences) expect(flat(ABSTRACT)).not.toContain(sentence);
    });

    it('never quotes captions, acknowledgements or references', () => {
      const everything = [fields.summary, ...fields.key_findings, fields.methodology, fields.results, ...fields.limitations].join(' ');
      expect(everything).not.toMatch(/Figure 2|Table 1|\[1\]|development boards|Proceedings/);
      for (const finding of fields.key_findings) expect(backMatter).not.toContain(finding);
    });

    it('states findings from the results and the conclusion, mostly apart from the summary', () => {
      expect(fields.key_findings.length).toBeLessThanOrEqual(6);
      for (const finding of fields.key_findings) expect(flat(PAPER)).toContain(finding);
      expect(fields.key_findings).toContain('Our method outperforms uniform channel scaling by 2.5 points at the same memory budget on all three datasets.');
      const repeated = fields.key_findings.filter((finding) => fields.summary.includes(finding));
      expect(repeated.length).toBeLessThan(fields.key_findings.length);
    });

    it('describes the method with the paper\'s own sentences on what was done', () => {
      expect(sentenceCount(fields.methodology)).toBeLessThanOrEqual(2);
      expect(fields.methodology).toMatch(/\bwe (present|propose|train|model)\b/i);
    });

    it('reports a quantitative result from the results section', () => {
      expect(sentenceCount(fields.results)).toBeLessThanOrEqual(2);
      expect(fields.results).toMatch(/\d+(\.\d+)?%|\d+(\.\d+)? (points|times)/);
      expect(flat(section(PAPER, '4.2 Results', 'Table 1'))).toContain(fields.results.split(/(?<=\.)\s+/)[0]);
    });

    it('finds no limitations in a paper that states none, nor takes criticism of other methods for one', () => {
      expect(fields.limitations).toEqual([]);
    });

    it('gives 5 to 8 lower-case noun phrases as keywords, none inside another', () => {
      const { keywords } = fields;
      expect(keywords.length).toBeLessThanOrEqual(8);
      expect(keywords).toEqual(expect.arrayContaining(['channel pruning', 'peak memory']));
      for (const keyword of keywords) {
        expect(keyword).toBe(keyword.toLowerCase());
        expect(keyword.split(' ').length).toBeLessThanOrEqual(4);
        expect(keyword).not.toMatch(/^(the|a|an|of|and|in|for|with|to|on|we|our)\b|\b(the|of|and|in|for|with|to|on)$/);
        for (const word of keyword.split(' ')) expect(PAPER.toLowerCase()).toContain(word);
        for (const other of keywords.filter((candidate) => candidate !== keyword)) {
          expect(` ${other} `).not.toContain(` ${keyword} `);
        }
      }
      expect(new Set(keywords).size).toBe(keywords.length);
    });

    it('gives the same analysis every time, from any instance', () => {
      expect(analyze({ text: PAPER })).toEqual(fields);
      expect(new ExtractiveAnalyzer().analyze({ id: 'other-id', text: PAPER })).toEqual(fields);
    });
  });

  it('finds the limitations a paper states', () => {
    const fields = analyze({ text: PAPER_WITH_LIMITATIONS });

    expect(fields.limitations).toEqual(LIMITATIONS);
  });

  it('uses a given title and abstract, and summarises the body of an unnumbered paper', () => {
    const fields = analyze({ title: '  Street  Trees and Night Heat ', abstract: UNNUMBERED_ABSTRACT, text: UNNUMBERED_TEXT });

    expectEveryFieldFilled(fields);
    expect(fields.title).toBe('Street Trees and Night Heat');
    expect(fields.summary).not.toContain(UNNUMBERED_ABSTRACT);
    expect(flat(UNNUMBERED_TEXT)).toContain(fields.summary.split(/(?<=\.)\s+/)[0]);
    expect(fields.methodology).toMatch(/loggers|gradient boosted|train the model/);
    expect(fields.results).toMatch(/0\.4 degrees|30%|35%/);
    expect(fields.keywords).toEqual(expect.arrayContaining(['cooling model']));
  });

  it('summarises the abstract when there is no other text', () => {
    const abstract =
      'We propose a graph neural network for predicting protein folding pathways. It improves pathway accuracy by 4% over molecular dynamics baselines. However, it does not scale to proteins with more than 500 residues.';

    const fields = analyze({ text: '', abstract });

    expectEveryFieldFilled(fields);
    expect(fields.title).toBe('We propose a graph neural network for predicting protein folding pathways');
    expect(fields.summary).toBe(abstract);
    expect(fields.methodology).toContain('We propose a graph neural network');
    expect(fields.results).toContain('4%');
    expect(fields.limitations).toEqual(['However, it does not scale to proteins with more than 500 residues.']);
  });

  it('analyses a text without headings', () => {
    const text = [
      'Wind turbines lose power when ice forms on their blades during cold and humid weather. We measured ice',
      'accretion on twelve turbines over two winters and related it to the power output of each turbine.',
      '',
      'Power dropped by up to 18% during icing events, and heating the blades recovered most of the loss. We',
      'find that icing starts at temperatures just below freezing when humidity exceeds 90%.',
    ].join('\n');

    const fields = analyze({ text });

    expectEveryFieldFilled(fields);
    expect(fields.title).toBe('Wind turbines lose power when ice forms on their blades during cold');
    expect(fields.summary).toContain('Power dropped by up to 18% during icing events');
    expect(fields.results).toMatch(/18%|90%/);
  });

  it.each<[string, Omit<PaperDocument, 'id'>]>([
    ['an empty paper', { text: '' }],
    ['only whitespace', { text: ' \n\n\t \f ' }],
    ['one sentence', { text: 'Quantum annealing improves protein folding predictions considerably.' }],
    ['a paper in German', { text: 'Wir schlagen eine neue Methode vor. Die Ergebnisse zeigen eine Verbesserung von 5 Prozent.' }],
    ['a paper in Chinese', { text: '我们提出了一种新方法。结果显示准确率提高了百分之五。' }],
    ['symbols and control characters', { text: '$$ ## 12 ?? \u0000\u0007 (((( ))))\n=== +++' }],
    ['one very long line', { text: 'pruning '.repeat(60_000) }],
  ])('never throws and fills every field for %s', (_, document) => {
    const fields = analyze(document);

    expectEveryFieldFilled(fields);
  });

  it('analyses a 60,000-character paper well within a second, and a 400,000-character one without failing', () => {
    const long = syntheticLongPaper(60_000);
    analyze({ text: PAPER });

    const started = performance.now();
    const fields = analyze({ text: long });
    const elapsed = performance.now() - started;

    expectEveryFieldFilled(fields);
    // Typically 40 to 80 ms; the bound is generous for slow, busy machines.
    expect(elapsed).toBeLessThan(1000);
    expectEveryFieldFilled(analyze({ text: syntheticLongPaper(400_000) }));
  });
});

/** A long paper of varied sentences (repeated lines would be dropped as running heads). */
function syntheticLongPaper(length: number): string {
  const subjects = ['the pruned network', 'the gated model', 'our schedule', 'the baseline', 'the memory estimate', 'the quantised network', 'the keyword spotter'];
  const verbs = ['reaches', 'keeps', 'loses', 'improves', 'needs', 'reports', 'matches'];
  const objects = ['accuracy', 'peak memory', 'latency', 'energy per inference', 'flash usage', 'throughput'];
  const lines: string[] = ['Budget-Aware Pruning at Scale', '', 'Abstract', 'We prune networks to fit small devices and report what they keep.', ''];
  let section = 0;
  let total = lines.join('\n').length;
  for (let index = 0; total < length; index++) {
    if (index % 40 === 0) lines.push('', `${++section % 90} Experiment Series ${section}`);
    const subject = subjects[index % subjects.length];
    const sentence = `In run ${index}, ${subject} ${verbs[(index * 3) % verbs.length]} ${objects[(index * 5) % objects.length]} of ${(index % 97) + 1}.${index % 10} units on board ${index % 13}.`;
    lines.push(sentence);
    total += sentence.length + 1;
  }
  return lines.join('\n').slice(0, length);
}
