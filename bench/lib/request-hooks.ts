/**
 * Request hooks for autocannon. They are written as plain JS modules to a temporary directory, because in
 * `workers` mode autocannon `require`s them by path inside each worker thread (no ts-node there).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';

const WORDS = (
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

/** Paths of the hook modules; the directory is removed at cleanup. */
export interface HookFiles {
  setup: string;
  onResponse?: string;
}

function writeHookFiles(setupSource: string, onResponseSource?: string): HookFiles {
  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-'));
  const files: HookFiles = { setup: join(dir, 'setup-request.js') };
  writeFileSync(files.setup, setupSource);
  if (onResponseSource) {
    files.onResponse = join(dir, 'on-response.js');
    writeFileSync(files.onResponse, onResponseSource);
  }
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  return files;
}

/**
 * POST /analyze bodies: a pool of `poolSize` distinct texts of random words (about `textChars` long) built
 * once per thread, then each request takes the next one and appends a tag unique to the request, so no two
 * bodies are equal. Ids of 202 answers are packed into 16-byte slots (memory-light) and, in worker threads,
 * handed to the main thread over a BroadcastChannel when it asks.
 */
export function writeAnalyzeHooks(channel: string, poolSize = 10_000, textChars = 800): HookFiles {
  const setup = `'use strict';
const { threadId } = require('node:worker_threads');
const { randomBytes } = require('node:crypto');
const WORDS = ${JSON.stringify(WORDS)};
let seed = (${randomBytes(4).readUInt32LE(0)} ^ Math.imul(threadId + 1, 0x9e3779b1)) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function sentence() {
  const count = 8 + Math.floor(random() * 10);
  const words = [];
  for (let n = 0; n < count; n += 1) words.push(WORDS[Math.floor(random() * WORDS.length)]);
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return words.join(' ') + '.';
}
const POOL = [];
const distinct = new Set();
while (POOL.length < ${poolSize}) {
  let text = sentence();
  while (text.length < ${textChars - 40}) text += ' ' + sentence();
  if (!distinct.has(text)) { distinct.add(text); POOL.push(text); }
}
distinct.clear();
const TAG = randomBytes(4).toString('hex');
let counter = 0;
module.exports = function setupRequest(request) {
  const n = counter++;
  request.body = '{"text":"' + POOL[n % POOL.length] + ' Reference ' + TAG + '-' + n + '."}';
  return request;
};
`;
  const onResponse = `'use strict';
const { isMainThread, BroadcastChannel } = require('node:worker_threads');
const SLOTS = 65536;
const chunks = [];
let current = Buffer.allocUnsafe(16 * SLOTS);
let used = 0;
let malformed = 0;
function seal() {
  if (used > 0) chunks.push(current.subarray(0, used * 16));
  current = Buffer.allocUnsafe(16 * SLOTS);
  used = 0;
}
function onResponse(status, body) {
  if (status !== 202) return;
  const at = body.indexOf('"request_id":"');
  const id = at < 0 ? '' : body.slice(at + 14, at + 50);
  if (id.length !== 36 || id[8] !== '-' || id[23] !== '-') { malformed += 1; return; }
  current.write(id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24), used * 16, 16, 'hex');
  used += 1;
  if (used === SLOTS) seal();
}
onResponse.take = function take() {
  seal();
  return { chunks: chunks.splice(0), malformed };
};
if (!isMainThread) {
  const channel = new BroadcastChannel(${JSON.stringify(channel)});
  channel.onmessage = (event) => {
    if (event.data !== 'flush') return;
    channel.postMessage(onResponse.take());
    channel.close();
  };
}
module.exports = onResponse;
`;
  return writeHookFiles(setup, onResponse);
}

/** GET /status/:id paths: a random id, from `finished` with probability `finishedShare`, else from `pending`. */
export function writeStatusHooks(finished: string[], pending: string[], finishedShare: number): HookFiles {
  const setup = `'use strict';
const FINISHED = ${JSON.stringify(finished)};
const PENDING = ${JSON.stringify(pending)};
module.exports = function setupRequest(request) {
  const ids = Math.random() < ${finishedShare} ? FINISHED : PENDING;
  request.path = '/status/' + ids[Math.floor(Math.random() * ids.length)];
  return request;
};
`;
  return writeHookFiles(setup);
}

/** The request ids of 202 answers the analyze hooks collected, 16 bytes each (the UUID without its dashes). */
export interface CollectedIds {
  chunks: Buffer[];
  count: number;
  malformed: number;
}

/** The collected ids as UUID strings, one at a time. */
export function* idsOf(collected: CollectedIds): Generator<string> {
  for (const chunk of collected.chunks) {
    for (let offset = 0; offset < chunk.length; offset += 16) {
      const hex = chunk.toString('hex', offset, offset + 16);
      yield `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}

