/**
 * autocannon as the load client, in this process or in its worker threads. The workload becomes request
 * hooks written as plain JS modules to a temporary directory, because in `workers` mode autocannon
 * `require`s them by path inside each worker thread (no ts-node there).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { onCleanup } from './cleanup';
import type { CollectedIds, LoadClient, LoadFigures, LoadOptions, StartedLoad } from './load';
import { log } from './log';
import { AnalyzeWorkload, StatusWorkload, WORDS, Workload } from './workloads';

// autocannon has no bundled types: the part of its result the benches read.
interface AutocannonResult {
  duration: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: AutocannonResult) => void) => { stop(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: Autocannon = require('autocannon');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AUTOCANNON_VERSION: string = require('autocannon/package.json').version;

/** autocannon with `workers` worker threads (0: in this process's main thread). */
export function autocannonClient(workers: number): LoadClient {
  return {
    name: 'autocannon',
    version: AUTOCANNON_VERSION,
    threads: Math.max(1, workers),
    description: workers > 0 ? `autocannon ${AUTOCANNON_VERSION} in ${workers} worker threads` : `autocannon ${AUTOCANNON_VERSION} in one thread`,
    describeCounting: (timeout) =>
      `Latencies are autocannon's (all answers; timed-out requests have none). Timeouts are requests without an answer after ${timeout} s ` +
      '(autocannon then reopens the connection, and the new one waits again).',
    start: (options) => startAutocannon(options, workers),
  };
}

/** Paths of the hook modules; the directory is removed at cleanup. */
interface HookFiles {
  setup: string;
  onResponse?: string;
  /** The BroadcastChannel over which worker threads hand over the ids they collected (analyze hooks only). */
  idChannel?: string;
}

type OnResponseHook = ((status: number, body: string) => void) & { take(): IdParts };
type IdParts = { chunks: Buffer[]; malformed: number };

// One set of hook files per workload: in this thread autocannon keeps the `require`d modules, pool included.
const hookFiles = new WeakMap<Workload, HookFiles>();

function hookFilesFor(workload: Workload): HookFiles {
  let files = hookFiles.get(workload);
  if (!files) {
    files = workload.kind === 'analyze' ? writeAnalyzeHooks(workload) : writeStatusHooks(workload);
    hookFiles.set(workload, files);
  }
  return files;
}

function startAutocannon(options: LoadOptions, workers: number): StartedLoad {
  const { workload } = options;
  const hooks = hookFilesFor(workload);
  const threads = options.connections >= 2 * workers ? workers : 0;
  const inThreads = threads > 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const onResponse: OnResponseHook | undefined = hooks.onResponse ? require(hooks.onResponse) : undefined;
  const request: Record<string, unknown> = {
    method: workload.method,
    path: workload.path,
    // In worker threads autocannon requires the hooks by path; here they are the functions themselves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    setupRequest: inThreads ? hooks.setup : require(hooks.setup),
    ...(hooks.onResponse && { onResponse: inThreads ? hooks.onResponse : onResponse }),
  };
  let instance: { stop(): void } | undefined;
  const result = new Promise<AutocannonResult>((resolve, reject) => {
    instance = autocannon(
      {
        url: `http://127.0.0.1:${options.server.port}`,
        connections: options.connections,
        duration: options.duration,
        pipelining: 1,
        timeout: options.timeout,
        ...(inThreads && { workers: threads }),
        method: workload.method,
        headers: workload.method === 'POST' ? { 'content-type': 'application/json' } : {},
        requests: [request],
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
  });
  const collectIds = async (): Promise<CollectedIds> => {
    const parts = inThreads ? await collectFromThreads(hooks.idChannel!, threads) : [onResponse!.take()];
    const chunks = parts.flatMap((part) => part.chunks.map((chunk) => Buffer.from(chunk)));
    return { chunks, count: chunks.reduce((sum, chunk) => sum + chunk.length / 16, 0), malformed: parts.reduce((sum, part) => sum + part.malformed, 0) };
  };
  return {
    stop: () => instance!.stop(),
    finished: result.then((outcome) => ({ figures: figuresOf(outcome), ...(onResponse && { collectIds }) })),
  };
}

function figuresOf(result: AutocannonResult): LoadFigures {
  return {
    seconds: result.duration,
    okPerSecond: result['2xx'] / result.duration,
    answersPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
  };
}

async function collectFromThreads(name: string, threads: number): Promise<IdParts[]> {
  const channel = new BroadcastChannel(name);
  const parts: Array<{ chunks: Uint8Array[]; malformed: number }> = [];
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log(`only ${parts.length} of ${threads} worker threads handed over their ids`);
        resolve();
      }, 10_000);
      channel.onmessage = (event) => {
        parts.push((event as MessageEvent).data);
        if (parts.length === threads) {
          clearTimeout(timer);
          resolve();
        }
      };
      channel.postMessage('flush');
    });
  } finally {
    channel.close();
  }
  return parts.map((part) => ({ chunks: part.chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), malformed: part.malformed }));
}

function writeHookFiles(setupSource: string, onResponse?: { source: string; idChannel: string }): HookFiles {
  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-'));
  const files: HookFiles = { setup: join(dir, 'setup-request.js') };
  writeFileSync(files.setup, setupSource);
  if (onResponse) {
    files.onResponse = join(dir, 'on-response.js');
    files.idChannel = onResponse.idChannel;
    writeFileSync(files.onResponse, onResponse.source);
  }
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  return files;
}

/**
 * The analyze workload: the text pool is built once per thread. Ids of 202 answers are packed into 16-byte
 * slots (memory-light) and, in worker threads, handed to the main thread over a BroadcastChannel when it asks.
 */
function writeAnalyzeHooks(workload: AnalyzeWorkload): HookFiles {
  const idChannel = `rpa-bench-ids-${process.pid}-${randomBytes(4).toString('hex')}`;
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
  const count = ${workload.sentenceWords.min} + Math.floor(random() * ${workload.sentenceWords.max - workload.sentenceWords.min + 1});
  const words = [];
  for (let n = 0; n < count; n += 1) words.push(WORDS[Math.floor(random() * WORDS.length)]);
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return words.join(' ') + '.';
}
const POOL = [];
const distinct = new Set();
while (POOL.length < ${workload.poolSize}) {
  let text = sentence();
  while (text.length < ${workload.minTextChars}) text += ' ' + sentence();
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
  const channel = new BroadcastChannel(${JSON.stringify(idChannel)});
  channel.onmessage = (event) => {
    if (event.data !== 'flush') return;
    channel.postMessage(onResponse.take());
    channel.close();
  };
}
module.exports = onResponse;
`;
  return writeHookFiles(setup, { source: onResponse, idChannel });
}

function writeStatusHooks(workload: StatusWorkload): HookFiles {
  const setup = `'use strict';
const FINISHED = ${JSON.stringify(workload.finished)};
const PENDING = ${JSON.stringify(workload.pending)};
module.exports = function setupRequest(request) {
  const ids = Math.random() < ${workload.finishedShare} ? FINISHED : PENDING;
  request.path = ${JSON.stringify(workload.path)} + ids[Math.floor(Math.random() * ids.length)];
  return request;
};
`;
  return writeHookFiles(setup);
}
