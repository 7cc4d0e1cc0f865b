import { SectionKind } from '../../papers/section-detector';
import { RankedSentence } from './ranked-sentences';
import { pickSummary } from './summary-picker';

let nextIndex = 0;

/** A ranked sentence as the analyser would give it; terms are the words of the text, enough for similarity. */
function sentence(text: string, kind: SectionKind, rank: number, ordinal = 1, heading: string = kind): RankedSentence {
  const terms = text.toLowerCase().match(/[a-z]{4,}/g) ?? [];
  return { index: nextIndex++, text, kind, heading, ordinal, rank, tokens: [], terms };
}

describe('pickSummary', () => {
  beforeEach(() => (nextIndex = 0));

  /** More equally central sentences than a summary takes, so the picker has to choose. */
  const filler = (): RankedSentence[] => [
    sentence('Battery-powered sensors increasingly run neural networks on small microcontrollers today.', 'method', 0.6),
    sentence('Magnitude pruning removes individual weights with small absolute values from trained models.', 'method', 0.6),
    sentence('Each channel carries a learnable gate between zero and one during the whole training run.', 'method', 0.6),
    sentence('All networks are quantised to eight-bit integers and deployed on a Cortex-M4 board.', 'results', 0.6),
    sentence('The penalty weight grows linearly so that the network first learns the task at hand.', 'method', 0.6),
    sentence('Speech commands, visual wake words and small images make up the three benchmarks.', 'results', 0.6),
  ];

  it('prefers the paper stating its contribution over equally central sentences, and keeps reading order', () => {
    const contribution = sentence('In this paper we propose budget-aware channel pruning for microcontroller deployments.', 'method', 0.6);

    const picked = pickSummary([...filler(), contribution], []);

    expect(picked).toHaveLength(5);
    expect(picked).toContain(contribution);
    expect(picked.map((chosen) => chosen.index)).toEqual([...picked.map((chosen) => chosen.index)].sort((a, b) => a - b));
  });

  it('prefers the end of the introduction, where contributions are stated, to its middle', () => {
    const introduction = [
      'Sensors in the field increasingly carry small processors with very little memory.',
      'Existing compression work optimises parameters rather than the peak memory of inference.',
      'Quantisation shrinks every weight to eight bits but leaves the activation buffers large.',
      'Architecture search designs small networks from scratch at a cost of many GPU hours.',
      'Knowledge distillation trains a small student to imitate the outputs of a larger teacher.',
      'Channel pruning suits such processors because a removed channel frees weights and buffers.',
    ].map((text, ordinal) => sentence(text, 'introduction', 0.6, ordinal, '1 Introduction'));

    const picked = pickSummary(introduction, []);

    expect(picked).toContain(introduction[5]);
    expect(picked).not.toContain(introduction[1]);
  });

  it('leaves out sentences that point at figures or tables when others are as good', () => {
    const pointer = sentence('Figure 3 compares the gate values of all layers during the training of the network.', 'results', 0.65);
    const plain = sentence('The learned gates show that early layers are the memory bottleneck of small devices.', 'discussion', 0.6);
    const picked = pickSummary([...filler(), plain, pointer], []);

    expect(picked).toContain(plain);
    expect(picked).not.toContain(pointer);
  });

  it('leaves out the outline of the paper, which says where things are rather than what they are', () => {
    const outline = sentence('In section 2 we describe the pruning schedule and in section 4 we present the experiments.', 'introduction', 1, 5);

    expect(pickSummary([...filler(), outline], [])).not.toContain(outline);
  });

  it('does not take a sentence that says nearly the same as one already taken', () => {
    const first = sentence('We propose budget-aware channel pruning that fits networks into microcontroller memory budgets.', 'introduction', 1, 4);
    const repeat = sentence('We propose budget-aware channel pruning that fits networks into microcontroller memory limits.', 'conclusion', 1, 0);

    const picked = pickSummary([...filler(), first, repeat], []);

    expect(picked).toContain(first);
    expect(picked).not.toContain(repeat);
  });

  it('summarises the abstract when the body is too short to summarise', () => {
    const abstract = [
      sentence('We propose a cooling model for streets that predicts the night temperature of a city.', 'abstract', 1),
      sentence('The model is trained on one summer of readings from one hundred and twenty loggers.', 'abstract', 0.8),
    ];
    const body = [sentence('Trees cool the streets around them at night, most of all where buildings are tall.', 'conclusion', 1)];

    expect(pickSummary(body, abstract)).toHaveLength(3);
  });
});
