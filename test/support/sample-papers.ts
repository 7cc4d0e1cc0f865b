const TOPICS = ['graph neural networks', 'protein folding', 'speech recognition', 'reinforcement learning', 'image segmentation', 'machine translation', 'climate modelling', 'recommender systems'];
const METHODS = ['a contrastive pre-training objective', 'a sparse mixture of experts', 'a diffusion-based generator', 'a Bayesian optimisation loop', 'an attention-free recurrent encoder'];
const DATASETS = ['ImageNet', 'LibriSpeech', 'WMT14 English-German', 'CASP14', 'MovieLens-20M', 'ERA5'];

/** A distinct, plausible abstract for index `n` (about 800 characters), the same for the same `n`. */
export function sampleAbstract(n: number): string {
  const topic = TOPICS[n % TOPICS.length];
  const method = METHODS[Math.floor(n / TOPICS.length) % METHODS.length];
  const dataset = DATASETS[n % DATASETS.length];
  const gain = (1 + (n % 17) * 0.7).toFixed(1);
  return [
    `Progress in ${topic} is limited by the cost of labelled data and by models that do not transfer between domains (study ${n}).`,
    `We propose ${method} that learns from unlabelled examples and adapts to new domains with a few hundred labels.`,
    `We train the model on ${dataset} and evaluate it against five strong baselines under the same compute budget.`,
    `Our approach improves accuracy by ${gain} points over the best baseline while using 40% fewer parameters.`,
    `Ablations show that the pre-training objective accounts for most of the gain, and that the benefit grows with model size.`,
    `However, the method remains sensitive to the choice of augmentation, and its training cost is higher than supervised learning.`,
    `We release code and checkpoints to support further work on ${topic}.`,
  ].join(' ');
}

export function samplePaperText(n: number): string {
  return [
    `Learning ${TOPICS[n % TOPICS.length]} from few labels`,
    '',
    'Abstract',
    sampleAbstract(n),
    '',
    '1 Introduction',
    `Labelled data is scarce in ${TOPICS[n % TOPICS.length]}. Models trained on one domain often fail on another. This paper studies how to learn useful representations without labels.`,
    '',
    '2 Method',
    `We use ${METHODS[n % METHODS.length]}. The encoder maps each input to a vector, and the objective pulls related views together while pushing unrelated ones apart.`,
    '',
    '3 Experiments',
    `We evaluate on ${DATASETS[n % DATASETS.length]}. Our approach outperforms the strongest baseline by 3.1 points and reaches 91.4% accuracy.`,
    '',
    '4 Conclusion',
    'Pre-training without labels transfers well across domains. A limitation is the sensitivity to augmentation choices, which future work should address.',
    '',
    'References',
    '[1] A. Author. A paper about something. 2020.',
  ].join('\n');
}
