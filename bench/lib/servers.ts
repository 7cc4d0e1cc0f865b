/** The processes under test: the bare baseline and the service as `npm start` runs it. */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup';
import { descendants, procStat, roleOf } from './cpu';
import { log } from './log';
import { ROOT } from './paths';
import { redisUrl } from './redis';

/** The V8 flags npm start's supervisor (plain CommonJS) gives the service's processes. */
export const { NODE_FLAGS: SERVICE_NODE_FLAGS } = require('../../scripts/lib/supervisor') as { NODE_FLAGS: readonly string[] };

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

function portAnswers(port: number): Promise<boolean> {
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

/**
 * A bench server of bench/ (TypeScript, through ts-node) with the V8 flags npm start gives the service's
 * processes, so that the comparison is of the servers, not of their heap settings; ready once it prints a line
 * matching `ready`.
 */
async function startBenchServer(name: string, script: string, port: number, args: readonly string[], ready: RegExp): Promise<ServerProcess> {
  await assertPortFree(port);
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new ServerProcess(name, port, child);
  await server.waitFor(async () => ready.test(server.recentOutput()), 30_000);
  log(server.recentOutput().split('\n').find((line) => ready.test(line)) ?? `${name} ready`);
  return server;
}

export function startBaseline(port: number, database: 14 | 15): Promise<ServerProcess> {
  const args = ['--port', String(port), '--redis', redisUrl(database), '--backlog', String(LISTEN_BACKLOG)];
  return startBenchServer('baseline', 'bare-baseline.server.ts', port, args, /baseline listening on/);
}

/** bench/poll-floor.server.ts: GET /status/:id answering the JSON in `answerFile`, on plain Fastify or on Nest. */
export function startPollFloor(framework: 'fastify' | 'nest', port: number, answerFile: string): Promise<ServerProcess> {
  const args = ['--framework', framework, '--port', String(port), '--answer', answerFile];
  return startBenchServer(`${framework} floor`, 'poll-floor.server.ts', port, args, /floor listening on/);
}

/** Variables of the bench's own environment handed to the service (process counts). */
const PASSED_THROUGH = ['HOME', 'WEB_CONCURRENCY', 'WORKER_CONCURRENCY', 'MAX_CONCURRENT_REQUESTS'];

/**
 * The process-shaping variables the user set for this run, for the report ('' when none), and whether a .env
 * file was there: npm start reads it for every setting the bench leaves unset.
 */
export function passedThroughSettings(): string {
  const set = PASSED_THROUGH.filter((name) => name !== 'HOME' && process.env[name]).map((name) => `${name}=${process.env[name]}`);
  const dotEnv = existsSync(join(ROOT, '.env')) ? ' A .env file was present: its settings applied wherever this run set none.' : '';
  return `${set.length > 0 ? ` Set for this run: ${set.join(', ')}.` : ''}${dotEnv}`;
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

/** The groq adapter pointed at a fake Groq server that enforces no limits, and configured to expect none. */
export const unlimitedFakeGroqSettings = (baseUrl: string): Record<string, string> => ({
  LLM_PROVIDER: 'groq',
  GROQ_API_KEY: 'bench-key',
  GROQ_BASE_URL: baseUrl,
  LLM_RPM: '1000000',
  LLM_TPM: '100000000',
  LLM_RPD: '100000000',
});

/** How many api and worker processes the service runs: its descendants, by APP_ROLE. */
export function serviceProcesses(service: ServerProcess): { api: number; worker: number } {
  const roles = service.tree().slice(1).map((pid) => roleOf(pid, '?'));
  return { api: roles.filter((role) => role === 'api').length, worker: roles.filter((role) => role === 'worker').length };
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
  const { api, worker } = serviceProcesses(server);
  log(`service ready (${answered}/40 readiness answers; processes: supervisor + ${api} api + ${worker} worker)`);
  return server;
}
