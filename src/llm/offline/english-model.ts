import winkNLP, { WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let shared: WinkMethods | undefined;

/**
 * wink-nlp with its small English model, loaded on first use and shared by every analyser (loading takes about
 * 100 ms and some 10 MB). Only sentence boundaries and part-of-speech tags are needed, and lemmas build on them.
 */
export function englishNlp(): WinkMethods {
  shared ??= winkNLP(model, ['sbd', 'pos']);
  return shared;
}
