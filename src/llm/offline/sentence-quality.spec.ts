import { readSentences } from './paper-sentences';
import { citesOthers, isProseSentence } from './sentence-quality';

/** Whether the text reads as one sentence worth quoting; captions do not even reach the sentence splitter. */
function isProse(text: string): boolean {
  const [sentence] = readSentences([{ kind: 'other', heading: '', text }]);
  return sentence !== undefined && isProseSentence(sentence);
}

describe('isProseSentence', () => {
  it('accepts ordinary sentences of a paper', () => {
    expect(isProse('The pruned network keeps 94.1% accuracy while using six times less memory.')).toBe(true);
    expect(isProse('We train the model with stochastic gradient descent for ninety epochs.')).toBe(true);
  });

  it.each([
    ['a caption', 'Figure 3: Training error of the plain and residual networks on ImageNet.'],
    ['a table caption', 'Table 2. Top-1 error rates of the networks on the validation set.'],
    ['a reference entry', 'K. He, X. Zhang, S. Ren, and J. Sun. Deep residual learning. In Proceedings of CVPR, 2016.'],
    ['a formula', 'The update is given by x = x - a g where g is the gradient of the loss.'],
    ['a fragment broken by a page', 'layers are stacked on top of each other to form the network as shown.'],
    ['a label run without a verb', 'Top-1 error Top-5 error FLOPs Params Depth ResNet-50 ResNet-101.'],
    ['a short phrase', 'See above.'],
    ['a link', 'The code is available at https://example.org/code for everyone to use.'],
    ['text running into an equation', 'The aim of many learning methods is to update a set of parameters to optimise an objective function'],
    ['text introducing a list', 'The benefits of this approach over plain gradient descent are as follows:'],
    ['the tail of an equation glued to a sentence', 'N +S X. Overall, we found our method to improve over both approaches considerably.'],
  ])('rejects %s', (_, text) => {
    expect(isProse(text)).toBe(false);
  });
});

describe('citesOthers', () => {
  it('recognises numeric and author-year citations', () => {
    expect(citesOthers('Residual learning was proposed before [12, 14].')).toBe(true);
    expect(citesOthers('Smith et al. showed this first.')).toBe(true);
    expect(citesOthers('This was shown before (Smith and Jones, 2019).')).toBe(true);
    expect(citesOthers('We show this for the first time.')).toBe(false);
  });
});
