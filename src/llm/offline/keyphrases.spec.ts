import { extractKeyphrases } from './keyphrases';
import { readSentences, tokenize } from './paper-sentences';

function keyphrasesOf(text: string, title = ''): string[] {
  return extractKeyphrases(readSentences([{ kind: 'other', heading: '', text }]), tokenize(title));
}

const TEXT = [
  'Graph neural networks predict molecular properties from atom graphs.',
  'We train graph neural networks on a large molecular dataset with message passing layers.',
  'Message passing layers exchange information between neighbouring atoms in every step.',
  'The proposed method improves the prediction of solubility and toxicity for drug candidates.',
  'Solubility prediction benefits most from deeper message passing layers.',
  'Drug candidates with high toxicity are flagged before synthesis.',
  'Graph neural networks also rank drug candidates by solubility.',
  'A small learning rate keeps training of graph neural networks stable, so the learning rate is decayed.',
].join(' ');

describe('extractKeyphrases', () => {
  const keyphrases = keyphrasesOf(TEXT, 'Graph Neural Networks for Drug Discovery');

  it('returns the frequent noun phrases, lower-cased with a singular head', () => {
    expect(keyphrases).toEqual(expect.arrayContaining(['graph neural network', 'message passing layer', 'drug candidate', 'learning rate']));
    expect(keyphrases.length).toBeGreaterThanOrEqual(5);
    expect(keyphrases.length).toBeLessThanOrEqual(8);
  });

  it('leaves out phrases contained in a better one, generic words and stop words', () => {
    expect(keyphrases).not.toContain('neural network');
    expect(keyphrases).not.toContain('proposed method');
    expect(keyphrases).not.toContain('method');
    for (const phrase of keyphrases) expect(phrase).not.toMatch(/\b(the|of|and|with|from|by)\b/);
  });

  it('does not start a phrase in the middle of a hyphenated compound', () => {
    const phrases = keyphrasesOf('The 152-layer network and the 34-layer network use state-of-the-art blocks. The 50-layer network is deep.');

    expect(phrases.some((phrase) => /^(layer|art)\b/.test(phrase))).toBe(false);
  });

  it('falls back to frequent nouns for a text with few phrases, and to nothing for no text', () => {
    expect(keyphrasesOf('Rain is heavy in spring. Snow is rare in the city. Rain and snow come in winter.')).toEqual(
      expect.arrayContaining(['rain', 'snow']),
    );
    expect(keyphrasesOf('')).toEqual([]);
  });
});
