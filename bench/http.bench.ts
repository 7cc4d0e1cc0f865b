/**
 * npm run bench — HTTP submission benchmark: how many POST /analyze the service accepts per second under
 * many concurrent connections, next to a bare Fastify + Bull server (bench/bare-baseline.server.ts)
 * measured in the same run on the same machine.
 *
 *   npm run bench -- [--connections 10000] [--duration 20] [--drain] [--skip-baseline]
 *                    [--workers 0] [--warmup 3] [--timeout 10] [--drain-cap 600]
 *
 * - Each request carries a different ~800-character text of random words (a pre-built pool of 10,000
 *   texts, plus a per-request tag so no text repeats and the service's result cache never answers).
 * - Target A: the baseline, one process. Target B: `node scripts/start.js` (npm start: WEB_CONCURRENCY api
 *   processes on one port + WORKER_CONCURRENCY workers) with LLM_PROVIDER=offline and the service's limits
 *   raised out of the way. Both against Redis database 14, flushed before each target.
 * - Afterwards every request_id the service answered 202 is looked up in its read model (rpa:request:<id>);
 *   with --drain the run waits for the queue to empty and reports the analysis rate.
 * - autocannon runs in this process (`--workers 0`) or in N worker threads (`--workers N`).
 *
 * Figures go to stdout, docs/benchmarks.md (section bench:http) and docs/benchmarks.json.
 * This file also exports the helpers bench/status.bench.ts uses.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeGroqServer } from '../test/fakes/fake-groq-server';
import { BroadcastChannel } from 'node:worker_threads';
import Redis from 'ioredis';
import { writeReportSection } from './benchmark-report';

// ---------------------------------------------------------------------------------------------------------
// autocannon (no bundled types)

export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  resets: number;
  mismatches: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; mean: number; max: number; totalCount: number };
  requests: { average: number; total: number; sent: number };
  throughput: { average: number };
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: AutocannonResult) => void) => { stop(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: Autocannon = require('autocannon');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AUTOCANNON_VERSION: string = require('autocannon/package.json').version;

// ---------------------------------------------------------------------------------------------------------
// Small utilities

export const ROOT = join(__dirname, '..');
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const redisUrl = (database: number) => `redis://${REDIS_HOST}:${REDIS_PORT}/${database}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
export const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** Which build of the service was measured: the commit, and whether src/ had uncommitted changes (read-only git). */
export function serviceRevision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown revision';
  const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? ' + uncommitted changes in src/' : ''}`;
}

/** The command as the user typed it, for the report. */
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return args.length > 0 ? `npm run ${script} -- ${args.join(' ')}` : `npm run ${script}`;
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup on error and on Ctrl-C: every process this bench starts registers how to stop it.

const cleanups = new Set<() => Promise<void>>();
let activeLoad: { stop(): void } | undefined;
let interrupted = false;

export function onCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export async function runCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) await cleanup().catch((error) => log(`cleanup failed: ${error}`));
}

export function installSignalHandlers(): void {
  const stop = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the load and every process this bench started...`);
    activeLoad?.stop();
    void runCleanups().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Runs `main` with the signal handlers, stops whatever is left afterwards, and sets the exit code. */
export function runBench(main: () => Promise<void>): void {
  installSignalHandlers();
  main()
    .then(() => runCleanups())
    .catch(async (error) => {
      log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
      await runCleanups();
      process.exitCode = 1;
    });
}

// ---------------------------------------------------------------------------------------------------------
// File descriptors: the load generator holds one socket per connection, the server as many again.

function shellLimits(): { soft: number; hard: number } {
  const out = spawnSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const parse = (value: string | undefined) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
  return { soft: parse(out[0]), hard: parse(out[1]) };
}

export interface FdLimit {
  soft: number;
  hard: number;
  needed: number;
  text: string;
}

/**
 * RLIMIT_NOFILE is per process: autocannon holds `connections` sockets in this process and the server
 * under test accepts as many, so each side needs `connections` fds plus room for the rest (Redis
 * connections, files, the listening sockets): 2 × connections across the two, `connections + 1024` per process.
 * When the soft limit is too low, re-executes this script under `bash -c 'ulimit -n …'` (possible up to the
 * hard limit, or beyond it as root), or says what to run and stops.
 */
export function ensureFdLimit(connections: number): FdLimit {
  const needed = connections + 1024;
  const { soft, hard } = shellLimits();
  const text = `ulimit -n ${soft === Number.POSITIVE_INFINITY ? 'unlimited' : soft} (hard ${hard === Number.POSITIVE_INFINITY ? 'unlimited' : hard})`;
  log(`${text}; ${fmt(connections)} connections need ≥ ${fmt(needed)} fds in the client and in the server process each (${fmt(2 * connections)} sockets in all; Node lifts its own soft limit to the hard one)`);
  if (soft >= needed) return { soft, hard, needed, text };

  if (process.env.RPA_BENCH_FD_RAISED) throw new Error(`the fd limit is still ${soft} after raising it; need ${needed}`);
  const target = hard >= needed ? Math.min(hard, Math.max(needed, 65536)) : Math.max(needed, 65536);
  const raise = hard >= target ? `ulimit -Sn ${target}` : `ulimit -n ${target}`;
  if (spawnSync('bash', ['-c', raise], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `the fd limit (${soft}, hard ${hard}) is below the ${needed} this run needs and cannot be raised from here. ` +
        `Run \`ulimit -n ${target}\` in a root shell (or raise nofile in /etc/security/limits.conf / the container's --ulimit), or use fewer --connections.`,
    );
  }
  log(`raising the limit: re-running under \`bash -c '${raise} && exec …'\``);
  const argv = [process.execPath, '-r', 'ts-node/register/transpile-only', process.argv[1] ?? __filename, ...process.argv.slice(2)];
  const result = spawnSync('bash', ['-c', `${raise} && exec "$0" "$@"`, ...argv], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, RPA_BENCH_FD_RAISED: '1', TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  process.exit(result.status ?? 1);
}

// ---------------------------------------------------------------------------------------------------------
// Redis

export async function assertRedisAnswers(): Promise<void> {
  const probe = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    throw new Error(`no Redis answers on ${REDIS_HOST}:${REDIS_PORT}: start one (e.g. \`redis-server --daemonize yes\` or \`docker compose up -d redis\`) and run again`);
  } finally {
    probe.disconnect();
  }
}

/** Empties one of the bench's own databases (14 or 15) of the Redis on 6379. */
export async function flushDatabase(database: 14 | 15): Promise<void> {
  const redis = new Redis(redisUrl(database));
  await redis.flushdb();
  await redis.quit();
}

export async function redisServerPid(): Promise<number | undefined> {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
  try {
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return pid && existsSync(`/proc/${pid}`) ? pid : undefined;
  } finally {
    await redis.quit();
  }
}

// ---------------------------------------------------------------------------------------------------------
// CPU accounting from /proc: who used the two cores during a load run.

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function procStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren...). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process's role for the report: APP_ROLE from its environment for the service's children. */
function roleOf(pid: number, fallback: string): string {
  try {
    const role = /(?:^|\0)APP_ROLE=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1];
    return role ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Machine-wide ticks from /proc/stat. This kernel accounts CPU by ticks without IRQ_TIME_ACCOUNTING, so
 * interrupt and softirq time (most of loopback TCP) is also charged to whichever process it interrupted:
 * `interrupts` is shown as a share already counted in the figures, not added to them. Steal is not busy.
 */
function systemBusyTicks(): { busy: number; total: number; interrupts: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3] - fields[4] - fields[7], total, interrupts: fields[5] + fields[6], steal: fields[7] };
}

export interface CpuShare {
  wallSeconds: number;
  cores: number;
  /** Cores used on average during the run, per group (client, server roles, redis, everything else). */
  usage: Record<string, number>;
  /** Of all that, cores spent in irq/softirq context (machine-wide), and cores stolen by the hypervisor. */
  interrupts: number;
  steal: number;
}

export class CpuSampler {
  private startTicks = new Map<number, number>();
  private labels = new Map<number, string>();
  private startedAt = 0;
  private system = { busy: 0, total: 0, interrupts: 0, steal: 0 };

  constructor(private readonly groups: () => Record<string, number[]>) {}

  start(): void {
    this.startedAt = performance.now();
    this.system = systemBusyTicks();
    for (const [label, pids] of Object.entries(this.groups())) {
      pids.forEach((pid, index) => {
        const stat = procStat(pid);
        if (!stat) return;
        this.startTicks.set(pid, stat.ticks);
        // In the server group the first pid is the process started; with children of its own it is their supervisor.
        const fallback = index === 0 && pids.length > 1 ? 'primary' : 'server';
        this.labels.set(pid, label === 'server' ? roleOf(pid, fallback) : label);
      });
    }
  }

  stop(): CpuShare {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const usage: Record<string, number> = {};
    let ours = 0;
    for (const [pid, before] of this.startTicks) {
      const after = procStat(pid)?.ticks ?? before;
      const label = this.labels.get(pid)!;
      const cores = (after - before) / CLOCK_TICKS / wallSeconds;
      usage[label] = (usage[label] ?? 0) + cores;
      ours += cores;
    }
    const system = systemBusyTicks();
    const cores = Math.max(1, Math.round((system.total - this.system.total) / CLOCK_TICKS / wallSeconds));
    const perSecond = (ticks: number) => ticks / CLOCK_TICKS / wallSeconds;
    usage.other = Math.max(0, perSecond(system.busy - this.system.busy) - ours);
    return { wallSeconds, cores, usage, interrupts: perSecond(system.interrupts - this.system.interrupts), steal: perSecond(system.steal - this.system.steal) };
  }
}

/** Cores busy machine-wide over `ms` before a run: other people's work on a shared machine skews every figure. */
export async function backgroundLoad(ms = 2_000): Promise<number> {
  const before = systemBusyTicks();
  await sleep(ms);
  const after = systemBusyTicks();
  const busy = (after.busy - before.busy) / CLOCK_TICKS / (ms / 1000);
  log(`background load before the run: ${busy.toFixed(2)} cores busy${busy > 0.25 ? ' — the machine is not idle; figures will be lower than on a quiet machine' : ''}`);
  return busy;
}

export function describeCpu(share: CpuShare): string {
  const order = ['client', 'primary', 'all', 'api', 'worker', 'server', 'redis', 'other'];
  const names: Record<string, string> = { client: 'load generator', primary: 'supervisor', all: 'server', api: 'api processes', worker: 'worker', server: 'server', redis: 'redis-server', other: 'other processes' };
  const parts = Object.entries(share.usage)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([label, cores]) => `${names[label] ?? label} ${cores.toFixed(2)}`);
  const total = Object.values(share.usage).reduce((sum, value) => sum + value, 0);
  const extra = [`${share.interrupts.toFixed(2)} of it in irq/softirq`, ...(share.steal >= 0.01 ? [`${share.steal.toFixed(2)} stolen`] : [])];
  return `${parts.join(', ')} (total ${total.toFixed(2)} of ${share.cores} cores; ${extra.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------------------
// Processes under test

export class ServerProcess {
  private output = '';
  private readonly seen = new Set<number>();
  private readonly unregister: () => void;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    child.stderr?.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    this.unregister = onCleanup(() => this.stop());
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  recentOutput(): string {
    return this.output.trim();
  }

  /** The process and its live descendants; remembered, so stop() can make sure none is left. */
  tree(): number[] {
    const pids = this.exited ? [] : [this.pid, ...descendants(this.pid)];
    pids.forEach((pid) => this.seen.add(pid));
    return pids;
  }

  async waitFor(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.recentOutput()}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready within ${timeoutMs} ms:\n${this.recentOutput()}`);
      await sleep(200);
    }
  }

  /** SIGTERM, SIGKILL after 30 s; then any descendant still alive is killed and the port must refuse connections. */
  async stop(): Promise<void> {
    this.unregister();
    this.tree();
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pid of this.seen) {
      if (pid !== this.pid && procStat(pid)) {
        log(`${this.name}: process ${pid} outlived its parent; killing it`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (let attempt = 0; await portAnswers(this.port); attempt += 1) {
      if (attempt >= 50) throw new Error(`${this.name} stopped but something still listens on port ${this.port}`);
      await sleep(100);
    }
    log(`${this.name} stopped; port ${this.port} is free`);
  }
}

export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function assertPortFree(port: number): Promise<void> {
  if (await portAnswers(port)) throw new Error(`something already listens on 127.0.0.1:${port}; pick another port (--port / --baseline-port)`);
}

/** The listen backlog src/main.ts gives the service, so both targets meet a connection burst alike. */
const LISTEN_BACKLOG = 8192;

export async function startBaseline(port: number, database: 14 | 15): Promise<ServerProcess> {
  await assertPortFree(port);
  const args = ['--port', String(port), '--redis', redisUrl(database), '--backlog', String(LISTEN_BACKLOG)];
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'bare-baseline.server.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new ServerProcess('baseline', port, child);
  await server.waitFor(async () => /baseline listening on/.test(server.recentOutput()), 30_000);
  log(server.recentOutput().split('\n').find((line) => line.includes('listening')) ?? 'baseline ready');
  return server;
}

/** Variables of the bench's own environment handed to the service (process counts). */
const PASSED_THROUGH = ['HOME', 'WEB_CONCURRENCY', 'WORKER_CONCURRENCY'];

/** The process-shaping variables the user set for this run, for the report ('' when none). */
export function passedThroughSettings(): string {
  const set = PASSED_THROUGH.filter((name) => name !== 'HOME' && process.env[name]).map((name) => `${name}=${process.env[name]}`);
  return set.length > 0 ? ` Set for this run: ${set.join(', ')}.` : '';
}

/** The environment `npm start` gets: the bench database, quiet logs, the offline analyser, limits out of the way. */
export function serviceEnvironment(port: number, database: 14 | 15, overrides: Record<string, string> = {}): Record<string, string> {
  const passThrough = Object.fromEntries(PASSED_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  return {
    PATH: process.env.PATH ?? '',
    ...passThrough,
    REDIS_URL: redisUrl(database),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LLM_PROVIDER: 'offline',
    THROTTLE_LIMIT: '100000000',
    THROTTLE_STATUS_LIMIT: '100000000',
    // The service validates MAX_QUEUE_SIZE ≤ 10,000,000: its largest allowed value.
    MAX_QUEUE_SIZE: '10000000',
    ...overrides,
  };
}

/** `node scripts/start.js` (what `npm start` runs), ready once GET /health/ready answers 200 from its api processes. */
export async function startService(port: number, environment: Record<string, string>): Promise<ServerProcess> {
  await assertPortFree(port);
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js')], { cwd: ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  const server = new ServerProcess('service', port, child);
  const url = `http://127.0.0.1:${port}/health/ready`;
  const ready = () => fetch(url).then(async (response) => (await response.arrayBuffer(), response.status === 200));
  await server.waitFor(ready, 90_000);
  // Several api processes share the port: let the slower ones finish starting before the load begins.
  let answered = 0;
  for (let n = 0; n < 40; n += 1) answered += (await ready().catch(() => false)) ? 1 : 0;
  await sleep(2_000);
  const roles = server.tree().slice(1).map((pid) => roleOf(pid, '?'));
  log(`service ready (${answered}/40 readiness answers; processes: supervisor + ${roles.filter((role) => role === 'api').length} api + ${roles.filter((role) => role === 'worker').length} worker)`);
  return server;
}

export async function getJson<T = any>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Request hooks for autocannon. They are written as plain JS modules to a temporary directory, because in
// `workers` mode autocannon `require`s them by path inside each worker thread (no ts-node there).

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

export interface HookFiles {
  dir: string;
  setup: string;
  onResponse?: string;
}

function writeHookFiles(setupSource: string, onResponseSource?: string): HookFiles {
  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-'));
  const files: HookFiles = { dir, setup: join(dir, 'setup-request.js') };
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

export interface CollectedIds {
  chunks: Buffer[];
  count: number;
  malformed: number;
}

export function* idsOf(collected: CollectedIds): Generator<string> {
  for (const chunk of collected.chunks) {
    for (let offset = 0; offset < chunk.length; offset += 16) {
      const hex = chunk.toString('hex', offset, offset + 16);
      yield `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// One autocannon run

export interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  workers: number;
  timeout: number;
  method: 'GET' | 'POST';
  path: string;
  hooks: HookFiles;
  /** Groups of pids to account CPU for, besides this process ("client"). */
  cpuGroups?: () => Record<string, number[]>;
  /** A BroadcastChannel name for ids collected in worker threads (analyze hooks only). */
  idChannel?: string;
}

export interface LoadRun {
  result: AutocannonResult;
  cpu?: CpuShare;
  ids?: CollectedIds;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const inThreads = options.workers > 0;
  type OnResponseHook = ((status: number, body: string) => void) & { take(): { chunks: Buffer[]; malformed: number } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const onResponse: OnResponseHook | undefined = options.hooks.onResponse ? require(options.hooks.onResponse) : undefined;
  const request: Record<string, unknown> = {
    method: options.method,
    path: options.path,
    // In worker threads autocannon requires the hooks by path; here they are the functions themselves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    setupRequest: inThreads ? options.hooks.setup : require(options.hooks.setup),
    ...(options.hooks.onResponse && { onResponse: inThreads ? options.hooks.onResponse : onResponse }),
  };
  const sampler = new CpuSampler(() => ({ client: [process.pid], ...(options.cpuGroups?.() ?? {}) }));
  sampler.start();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    activeLoad = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        pipelining: 1,
        timeout: options.timeout,
        ...(inThreads && { workers: options.workers }),
        method: options.method,
        headers: options.method === 'POST' ? { 'content-type': 'application/json' } : {},
        requests: [request],
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
  }).finally(() => (activeLoad = undefined));
  const cpu = sampler.stop();

  let ids: CollectedIds | undefined;
  if (onResponse) {
    const parts: Array<{ chunks: Buffer[]; malformed: number }> = [];
    if (inThreads) parts.push(...(await collectFromThreads(options.idChannel!, options.workers)));
    else parts.push(onResponse.take());
    const chunks = parts.flatMap((part) => part.chunks.map((chunk) => Buffer.from(chunk)));
    ids = { chunks, count: chunks.reduce((sum, chunk) => sum + chunk.length / 16, 0), malformed: parts.reduce((sum, part) => sum + part.malformed, 0) };
  }
  return { result, cpu, ids };
}

async function collectFromThreads(name: string, threads: number): Promise<Array<{ chunks: Buffer[]; malformed: number }>> {
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

// ---------------------------------------------------------------------------------------------------------
// Reporting

export interface LoadFigures {
  seconds: number;
  okPerSecond: number;
  answersPerSecond: number;
  answers: number;
  sent: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

export function figuresOf({ result }: LoadRun): LoadFigures {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    seconds: result.duration,
    okPerSecond: result['2xx'] / result.duration,
    answersPerSecond: result.requests.total / result.duration,
    answers: result.requests.total,
    sent: result.requests.sent,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCodes,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
  };
}

export const describeCodes = (codes: Record<string, number>) =>
  Object.keys(codes).length === 0
    ? 'none'
    : Object.entries(codes)
        .map(([code, count]) => `${code}: ${fmt(count)}`)
        .join(', ');

/** Replaces the section `name` of docs/benchmarks.json (a small object of the latest figures per bench). */
export function writeJsonSection(name: string, data: unknown): void {
  const file = join(ROOT, 'docs', 'benchmarks.json');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  current[name] = data;
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
}

export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);

// ---------------------------------------------------------------------------------------------------------
// npm run bench

const DATABASE = 14;

interface Target {
  name: string;
  label: string;
  figures: LoadFigures;
  cpu?: CpuShare;
}

interface Verification {
  checked: number;
  missing: number;
  malformed: number;
  statuses: Record<string, number>;
}

async function verifyJobs(ids: CollectedIds): Promise<Verification> {
  const redis = new Redis(redisUrl(DATABASE));
  const statuses: Record<string, number> = {};
  let checked = 0;
  let missing = 0;
  try {
    let batch: string[] = [];
    const flush = async () => {
      const pipeline = redis.pipeline();
      batch.forEach((id) => pipeline.hget(`rpa:request:${id}`, 'status'));
      for (const [error, status] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        checked += 1;
        if (status === null) missing += 1;
        else statuses[status as string] = (statuses[status as string] ?? 0) + 1;
      }
      batch = [];
    };
    for (const id of idsOf(ids)) {
      batch.push(id);
      if (batch.length === 10_000) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await redis.quit();
  }
  // A record that exists but is neither queued, processing nor done (e.g. error) counts as not backed by a job.
  const unexpected = Object.entries(statuses)
    .filter(([status]) => !['queued', 'processing', 'done'].includes(status))
    .reduce((sum, [, count]) => sum + count, 0);
  return { checked, missing: missing + unexpected, malformed: ids.malformed, statuses };
}

interface Drain {
  seconds: number;
  analysed: number;
  failed: number;
  perSecond: number;
  finished: boolean;
  left: number;
}

interface ServiceStatus {
  queue: { waiting: number; active: number; delayed: number };
  analyses: { processed: number; failed: number };
}

async function drainQueue(baseUrl: string, capSeconds: number): Promise<Drain> {
  const first = await getJson<ServiceStatus>(`${baseUrl}/status`);
  const startedAt = performance.now();
  let last = first;
  for (;;) {
    const left = last.queue.waiting + last.queue.active + last.queue.delayed;
    const seconds = (performance.now() - startedAt) / 1000;
    const failed = last.analyses.failed - first.analyses.failed;
    const analysed = last.analyses.processed - first.analyses.processed + failed;
    if (left === 0 || seconds >= capSeconds || interrupted) {
      return { seconds, analysed, failed, perSecond: seconds > 0 ? analysed / seconds : Number.NaN, finished: left === 0, left };
    }
    if (Math.round(seconds) % 10 === 0) log(`draining: ${fmt(left)} jobs left, ${fmt(analysed)} analysed in ${seconds.toFixed(0)} s`);
    await sleep(1_000);
    last = await getJson<ServiceStatus>(`${baseUrl}/status`);
  }
}

/** Server-side CPU (every server process and Redis, not the load generator or others) per accepted request. */
function serverMicroseconds(target: Target): string {
  const { client, other, ...server } = target.cpu!.usage;
  void client;
  void other;
  const cores = Object.values(server).reduce((sum, value) => sum + value, 0);
  return `≈ ${fmt((cores / target.figures.okPerSecond) * 1e6)} µs of server + Redis CPU per accepted request`;
}

function row(target: Target): string {
  const f = target.figures;
  return `| ${target.label} | **${fmt(f.okPerSecond)}** | ${fmt(f.answersPerSecond)} | ${fmt(f.p50)} | ${fmt(f.p90)} | ${fmt(f.p99)} | ${describeCodes(f.statusCodes)} | ${fmt(f.errors)} | ${fmt(f.timeouts)} |`;
}

/** What the timeouts at thousands of connections are, as measured with `ss -tnp` during runs (see the report). */
export const TIMEOUT_NOTE =
  'At 10,000 connections they are connections that wait more than 10 s before the server reads them, then reconnect ' +
  'and wait again. Baseline: Node 20 (libuv ≥ 1.45) accepts one connection per event-loop iteration and an iteration ' +
  'lasts ~0.5 s under this load, so part of the opening burst sits in the kernel accept queue (`ss -ltn` Recv-Q 140–3,300). ' +
  'The service\'s api processes accept their own connections (node:cluster SCHED_NONE): with the default round-robin the ' +
  'primary held ~7,500 of 10,000 sockets 5 s into a run, handing them over one IPC round trip at a time.';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '10000' },
      duration: { type: 'string', default: '20' },
      drain: { type: 'boolean', default: false },
      'skip-baseline': { type: 'boolean', default: false },
      workers: { type: 'string', default: '0' },
      warmup: { type: 'string', default: '3' },
      timeout: { type: 'string', default: '10' },
      'drain-cap': { type: 'string', default: '600' },
      port: { type: 'string', default: '18952' },
      'baseline-port': { type: 'string', default: '18951' },
      analyser: { type: 'string', default: 'groq' },
      'groq-latency-ms': { type: 'string', default: '300' },
    },
  });
  if (values.analyser !== 'groq' && values.analyser !== 'offline') throw new Error(`--analyser: groq or offline (${values.analyser})`);
  const connections = Number(values.connections);
  const duration = Number(values.duration);
  const workers = Number(values.workers);
  const warmup = Number(values.warmup);
  const timeout = Number(values.timeout);
  const drainCap = Number(values['drain-cap']);
  const port = Number(values.port);
  const baselinePort = Number(values['baseline-port']);
  for (const [name, value] of Object.entries({ connections, duration, workers, warmup, timeout, drainCap, port, baselinePort })) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: not a number (${value})`);
  }
  const command = commandLine('bench');
  const revision = serviceRevision();
  const fds = ensureFdLimit(connections);
  await assertRedisAnswers();
  const redisPid = await redisServerPid();
  const channel = `rpa-bench-ids-${process.pid}`;
  const hooks = writeAnalyzeHooks(channel);
  const client = workers > 0 ? `autocannon ${AUTOCANNON_VERSION} in ${workers} worker threads` : `autocannon ${AUTOCANNON_VERSION} in one thread`;
  log(`${command}: ${fmt(connections)} connections, ${duration} s per target, ${client}, pipelining 1, timeout ${timeout} s`);

  const load = async (server: ServerProcess, seconds: number, conns: number) =>
    runLoad({
      url: `http://127.0.0.1:${server.port}`,
      connections: conns,
      duration: seconds,
      workers: conns >= 2 * workers ? workers : 0,
      timeout,
      method: 'POST',
      path: '/analyze',
      hooks,
      idChannel: channel,
      cpuGroups: () => ({ server: server.tree(), ...(redisPid && { redis: [redisPid] }) }),
    });
  const measure = async (server: ServerProcess) => {
    if (warmup > 0) {
      log(`${server.name}: warming up for ${warmup} s with ${Math.min(connections, 100)} connections`);
      await load(server, warmup, Math.min(connections, 100));
    }
    log(`${server.name}: ${fmt(connections)} connections for ${duration} s...`);
    const run = await load(server, duration, connections);
    const figures = figuresOf(run);
    log(`${server.name}: ${fmt(figures.okPerSecond)} accepted/s, p50 ${fmt(figures.p50)} ms, p99 ${fmt(figures.p99)} ms, ${describeCodes(figures.statusCodes)}, ${figures.errors} errors, ${figures.timeouts} timeouts`);
    if (run.cpu) log(`${server.name}: CPU ${describeCpu(run.cpu)}`);
    return { run, figures };
  };

  const idle = await backgroundLoad();
  const targets: Target[] = [];
  if (!values['skip-baseline']) {
    await flushDatabase(DATABASE);
    const baseline = await startBaseline(baselinePort, DATABASE);
    try {
      const { run, figures } = await measure(baseline);
      targets.push({ name: 'baseline', label: 'bare Fastify + Bull, 1 process', figures, cpu: run.cpu });
    } finally {
      await baseline.stop();
    }
    await sleep(2_000);
  }

  await flushDatabase(DATABASE);
  const fakeGroq = values.analyser === 'groq' ? new FakeGroqServer({ latencyMs: Number(values['groq-latency-ms']) }) : undefined;
  const groqSettings: Record<string, string> = fakeGroq ? { LLM_PROVIDER: 'groq', GROQ_API_KEY: 'bench-key', GROQ_BASE_URL: (await fakeGroq.start()).baseUrl } : {};
  const environment = serviceEnvironment(port, DATABASE, groqSettings);
  const service = await startService(port, environment);
  let verification: Verification;
  let drain: Drain | undefined;
  let processes: string;
  try {
    const roles = service.tree().slice(1).map((pid) => roleOf(pid, '?'));
    processes = `${roles.filter((role) => role === 'api').length} api + ${roles.filter((role) => role === 'worker').length} worker processes`;
    const { run, figures } = await measure(service);
    targets.push({ name: 'service', label: `service (npm start: ${processes})`, figures, cpu: run.cpu });
    log(`checking the ${fmt(run.ids!.count)} request ids answered 202 against rpa:request:<id>...`);
    verification = await verifyJobs(run.ids!);
    log(`checked ${fmt(verification.checked)}: ${JSON.stringify(verification.statuses)}, missing ${verification.missing}, malformed ${verification.malformed}`);
    if (values.drain) {
      log(`waiting for the queue to drain (at most ${drainCap} s)...`);
      drain = await drainQueue(`http://127.0.0.1:${port}`, drainCap);
      log(`drain: ${fmt(drain.analysed)} analysed in ${drain.seconds.toFixed(1)} s = ${fmt(drain.perSecond, 1)}/s${drain.finished ? '' : ` (stopped at the cap, ${fmt(drain.left)} left)`}`);
    }
  } finally {
    await service.stop();
    await fakeGroq?.stop();
    await flushDatabase(DATABASE);
  }

  const baseline = targets.find((target) => target.name === 'baseline');
  const serviceTarget = targets.find((target) => target.name === 'service')!;
  const ratio = baseline ? serviceTarget.figures.okPerSecond / baseline.figures.okPerSecond : Number.NaN;
  const serviceIds = verification.checked;
  const lines = [
    `Command: \`${command}\` — ${fmt(connections)} connections, ${duration} s per target (after a ${warmup} s warm-up at ≤100 connections),`,
    `${client}, pipelining 1, request timeout ${timeout} s; ${fds.text}. Load generator, servers and Redis on the same machine, over 127.0.0.1;`,
    `${idle.toFixed(2)} cores busy with other work just before the run.`,
    'Each request: POST /analyze with a distinct ~800-character text of random words. Redis database 14, flushed before each target.',
    `Service (${revision}): \`node scripts/start.js\` with ${fakeGroq ? `the groq adapter against the fake Groq server at ${values['groq-latency-ms']} ms (the workers wait on the LLM, as in production)` : 'LLM_PROVIDER=offline (the worker analyses on this machine\'s CPU during the load)'}, LOG_LEVEL=warn, THROTTLE_LIMIT = THROTTLE_STATUS_LIMIT = 100,000,000, MAX_QUEUE_SIZE = 10,000,000 (its maximum).${passedThroughSettings()}`,
    '',
    '| target | accepted/s (2xx) | answers/s | p50 ms | p90 ms | p99 ms | status codes | socket errors | timeouts |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...targets.map(row),
    '',
    baseline
      ? `Service ÷ baseline, accepted/s: **${ratio.toFixed(2)}**.`
      : 'Baseline skipped (--skip-baseline): no ratio.',
    `Every 202 has its record: ${fmt(serviceIds)} request ids checked (${describeCodes(verification.statuses)}), **${fmt(verification.missing)} missing**` +
      (verification.malformed ? `, ${verification.malformed} unreadable ids` : '') +
      '.',
    drain
      ? `Drain after the load (${processes!}, offline analyser): ${fmt(drain.analysed)} analyses in ${drain.seconds.toFixed(0)} s = **${fmt(drain.perSecond, 1)} analyses/s**` +
        ` (${fmt(drain.failed)} ended in error)` +
        (drain.finished ? '; queue empty.' : ` — stopped at the ${drainCap} s cap with ${fmt(drain.left)} jobs left.`)
      : 'Drain not measured (run with --drain).',
    '',
    'CPU during each measured run, in cores (from /proc):',
    ...targets.filter((target) => target.cpu).map((target) => `- ${target.name}: ${describeCpu(target.cpu!)}; ${serverMicroseconds(target)}`),
    '',
    'Latencies are autocannon\'s (all answers; timed-out requests have none). Timeouts are requests without an answer',
    `after ${timeout} s (the connection is then reopened); socket errors exclude them. ${TIMEOUT_NOTE}`,
  ];
  const body = lines.join('\n');
  process.stdout.write(`\n${body}\n`);
  writeReportSection('bench:http', 'npm run bench', body);
  writeJsonSection('bench:http', {
    date: new Date().toISOString(),
    command,
    service: revision,
    settings: passedThroughSettings().trim() || undefined,
    connections,
    duration_s: duration,
    autocannon_workers: workers,
    ulimit_n: { soft: fds.soft, hard: fds.hard },
    background_cores_busy: round(idle, 2),
    targets: Object.fromEntries(
      targets.map((target) => [
        target.name,
        {
          accepted_per_s: round(target.figures.okPerSecond),
          answers_per_s: round(target.figures.answersPerSecond),
          latency_ms: { p50: target.figures.p50, p90: target.figures.p90, p99: target.figures.p99, max: target.figures.max },
          status_codes: target.figures.statusCodes,
          socket_errors: target.figures.errors,
          timeouts: target.figures.timeouts,
          cpu_cores: target.cpu && Object.fromEntries(Object.entries(target.cpu.usage).map(([label, cores]) => [label, round(cores, 2)])),
        },
      ]),
    ),
    service_over_baseline: round(ratio, 3),
    jobs: { checked: verification.checked, missing: verification.missing, statuses: verification.statuses },
    drain: drain && { analyses: drain.analysed, failed: drain.failed, seconds: round(drain.seconds), per_s: round(drain.perSecond), finished: drain.finished },
  });
  log('wrote docs/benchmarks.md (bench:http) and docs/benchmarks.json');
}

if (require.main === module) runBench(main);
