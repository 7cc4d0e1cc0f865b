/**
 * What the load clients send, as data: each client turns a workload into its own request generator
 * (JS hooks for autocannon, a Lua script for wrk) with the same requests.
 */

/** The words the analyze texts are made of: letters only, so a text needs no escaping in JSON, JS or Lua. */
export const WORDS = (
  'model data learning network training results method approach performance accuracy evaluation baseline dataset ' +
  'representation attention transformer encoder decoder layer parameter optimisation gradient loss objective sample ' +
  'distribution inference prediction classification regression benchmark experiment analysis feature embedding ' +
  'architecture convolution recurrent sequence language vision speech protein molecule graph node edge cluster ' +
  'signal noise robust efficient scalable sparse dense latent variational bayesian stochastic deterministic adaptive ' +
  'supervised unsupervised contrastive generative discriminative transfer domain task label annotation corpus token ' +
  'vocabulary retrieval ranking recommendation reinforcement policy reward agent environment simulation control ' +
  'estimate variance bias error metric score improvement ablation study hypothesis theorem proof bound convergence ' +
  'complexity runtime memory compute hardware accelerator parallel distributed federated privacy fairness ' +
  'interpretability uncertainty calibration temporal spatial multimodal image video audio text clinical genomic climate ' +
  'we propose show demonstrate observe find evaluate compare outperform improve reduce increase achieve reach report ' +
  'the a of and in on for with to from by under over across between without while than this our their novel new ' +
  'strong simple effective significant consistent substantial modest large small deep shallow wide narrow recent prior'
).split(' ');

/**
 * POST /analyze with body `{"text":"<text> Reference <tag>-<n>."}`: each load thread builds `poolSize` distinct
 * texts of random WORDS (sentences of `sentenceWords` words, the first capitalised, added until the text is
 * `minTextChars` long or more: about 800 with the reference), then each request takes the next text and appends a reference made
 * of a tag unique to the thread and run and the request's number, so no two bodies are equal. The request
 * ids of 202 answers are collected.
 */
export interface AnalyzeWorkload {
  kind: 'analyze';
  method: 'POST';
  path: '/analyze';
  poolSize: number;
  minTextChars: number;
  sentenceWords: { min: number; max: number };
  /**
   * Think time: each connection waits a random time in this range before each of its requests, as a user
   * does between tasks (before its first, what is left of one already under way). Without it the client
   * runs a closed loop.
   */
  thinkMs?: ThinkTime;
}

/** Milliseconds. */
export interface ThinkTime {
  min: number;
  max: number;
}

/** GET /status/<id>: a random id, from `finished` with probability `finishedShare`, else from `pending`. */
export interface StatusWorkload {
  kind: 'status';
  method: 'GET';
  /** The id follows it. */
  path: '/status/';
  finished: readonly string[];
  pending: readonly string[];
  finishedShare: number;
}

export type Workload = AnalyzeWorkload | StatusWorkload;

export const analyzeWorkload = (thinkMs?: ThinkTime): AnalyzeWorkload => ({
  kind: 'analyze',
  method: 'POST',
  path: '/analyze',
  poolSize: 10_000,
  minTextChars: 760,
  sentenceWords: { min: 8, max: 17 },
  ...(thinkMs && { thinkMs }),
});

/** `--think-time 1-3` (seconds, a range or one value) as milliseconds. */
export function thinkTimeOf(text: string): ThinkTime {
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim());
  const [min, max] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [Number.NaN, Number.NaN];
  if (!(min <= max && max > 0)) throw new Error(`--think-time: seconds as MIN-MAX or one value, the smaller first and the larger above 0, e.g. 1-3 (${text})`);
  return { min: Math.round(min * 1000), max: Math.round(max * 1000) };
}

export const describeThinkTime = ({ min, max }: ThinkTime): string =>
  min === max ? `${min / 1000} s` : `a random ${min / 1000} to ${max / 1000} s`;

export const statusWorkload = (finished: readonly string[], pending: readonly string[], finishedShare: number): StatusWorkload => ({
  kind: 'status',
  method: 'GET',
  path: '/status/',
  finished,
  pending,
  finishedShare,
});
