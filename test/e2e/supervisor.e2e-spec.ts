import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { REPORT_EVERY_MS } from '../../src/http/connection-share';
import { eventually } from '../support/eventually';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { PrivateRedisServer } from '../support/private-redis-server';
import { sampleAbstract } from '../support/sample-papers';
import { PROJECT_ROOT } from '../support/service-process';
import { HalfSentRequest } from '../support/half-sent-request';

const { WORKER_NICENESS } = require('../../scripts/lib/supervisor') as { WORKER_NICENESS: number };
const { STALE_AFTER_MS } = require('../../scripts/lib/connection-shares') as { STALE_AFTER_MS: number };

const REDIS_PORT = 18671;
const PORT = 18672;
const BASE_URL = `http://127.0.0.1:${PORT}`;
/**
 * Each API process's own descriptor of the listening socket, the 15 extra ones it accepts through and the
 * 240 it holds for bursts.
 */
const DESCRIPTORS_PER_API_PROCESS = 256;

/** The live children of `parent`, by the role in their environment. */
function children(parent: number): Array<{ pid: number; role: string }> {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== parent) return [];
        const role = /(?:^|\0)APP_ROLE=([^\0]*)/.exec(readFileSync(`/proc/${entry}/environ`, 'latin1'))?.[1] ?? '?';
        return [{ pid: Number(entry), role }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** The inodes of the server's sockets on 127.0.0.1:`port` in TCP state `state`, from the kernel's TCP table. */
function serverSocketInodes(port: number, state: 'listening' | 'established'): string[] {
  const localAddress = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const stateCode = state === 'listening' ? '0A' : '01';
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === localAddress && fields[3] === stateCode)
    .map((fields) => fields[9]);
}

/** The inode of the socket listening on 127.0.0.1:`port`. */
function listeningSocketInode(port: number): string {
  const [inode] = serverSocketInodes(port, 'listening');
  if (!inode) throw new Error(`nothing listens on 127.0.0.1:${port}`);
  return inode;
}

/** How many of `pid`'s file descriptors are sockets among `inodes`. */
function descriptorsOf(pid: number, inodes: readonly string[]): number {
  const sockets = new Set(inodes.map((inode) => `socket:[${inode}]`));
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return sockets.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

/** How many of `pid`'s file descriptors are that listening socket. */
const listeningDescriptors = (pid: number, inode: string): number => descriptorsOf(pid, [inode]);

/** The connections to the port each of `pids` holds. */
function heldConnections(pids: readonly number[]): number[] {
  const established = serverSocketInodes(PORT, 'established');
  return pids.map((pid) => descriptorsOf(pid, established));
}

/**
 * Kept-alive clients, each on its own connection (as a browser or a load generator's connection would be),
 * asking for /health/live every `pauseMs` until stopped; what they got back, by status. One shared agent would
 * not do: it reuses its last free socket and never replaces a closed one while others are free, so the
 * connections held would dwindle to the few requests in flight at once.
 */
function runKeptAliveClients(count: number, pauseMs: number): { stop(): Promise<Record<string, number>> } {
  const answers: Record<string, number> = {};
  let running = true;
  const ask = (agent: Agent) =>
    new Promise<string>((resolve) => {
      get({ agent, host: '127.0.0.1', port: PORT, path: '/health/live' }, (response) => {
        response.resume().once('end', () => resolve(String(response.statusCode)));
      }).once('error', (error) => resolve(error.message));
    });
  const loops = Array.from({ length: count }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (running) {
        const answer = await ask(agent);
        answers[answer] = (answers[answer] ?? 0) + 1;
        await sleep(pauseMs);
      }
    } finally {
      agent.destroy();
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

const ready = () => request(BASE_URL, '/health/ready').then((answer) => answer.status === 200, () => false);
const portAccepts = () =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: PORT });
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.unref();
  });

async function analysedThroughTheSupervisor(seed: number): Promise<void> {
  const accepted = await postJson(BASE_URL, '/analyze', { abstract: sampleAbstract(seed) });
  expect(accepted.status).toBe(202);
  expect((await pollUntilFinished(BASE_URL, accepted.body.request_id)).body.status).toBe('done');
}

/** `npm start`'s supervisor: the processes it runs, how they share the port, and what happens when one dies. */
describe('npm start supervisor', () => {
  const redis = new PrivateRedisServer(REDIS_PORT);
  let supervisor: ChildProcess;
  let output = '';

  beforeAll(async () => {
    await redis.start();
    supervisor = spawn(process.execPath, [join(PROJECT_ROOT, 'scripts', 'start.js')], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.url,
        PORT: String(PORT),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        LLM_PROVIDER: 'offline',
        BATCH_TIMEOUT_MS: '30',
        WEB_CONCURRENCY: '2',
        WORKER_CONCURRENCY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor.stdout!.on('data', (chunk) => (output += chunk));
    supervisor.stderr!.on('data', (chunk) => (output += chunk));
    await eventually(ready, Boolean, 60_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${output}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (supervisor.exitCode === null && supervisor.signalCode === null) {
      supervisor.kill('SIGKILL');
      await once(supervisor, 'exit');
    }
    await redis.stop();
  });

  it('runs WEB_CONCURRENCY api and WORKER_CONCURRENCY worker processes, each api process accepting through its share of descriptors', async () => {
    const processes = await eventually(
      () => children(supervisor.pid!),
      (found) => found.length === 3,
    );
    expect(processes.map(({ role }) => role).sort()).toEqual(['api', 'api', 'worker']);
    // Answering clients comes before analysing when both want the cores.
    expect(processes.map(({ role, pid }) => [role, getPriority(pid)])).toEqual(
      processes.map(({ role }) => [role, getPriority(supervisor.pid!) + (role === 'worker' ? WORKER_NICENESS : 0)]),
    );

    // An API process answers as soon as it listens; its extra descriptors arrive just after.
    const inode = listeningSocketInode(PORT);
    const descriptors = await eventually(
      () => processes.map(({ pid }) => listeningDescriptors(pid, inode)),
      (counts) => counts.every((count, index) => processes[index].role === 'worker' || count === DESCRIPTORS_PER_API_PROCESS),
    );
    expect(descriptors).toEqual(processes.map(({ role }) => (role === 'api' ? DESCRIPTORS_PER_API_PROCESS : 0)));
    // node:cluster's own; the copies it sent are closed, or it would hold the port with no one accepting.
    expect(listeningDescriptors(supervisor.pid!, inode)).toBe(1);
    await analysedThroughTheSupervisor(900);
  });

  it('replaces an api process and the worker when they die, and the new api process accepts through its descriptors too', async () => {
    const before = children(supervisor.pid!);
    const killedApi = before.find(({ role }) => role === 'api')!;
    process.kill(killedApi.pid, 'SIGKILL');
    const afterApi = await eventually(
      () => children(supervisor.pid!),
      (found) => found.filter(({ role, pid }) => role === 'api' && pid !== killedApi.pid).length === 2,
    );
    const replacement = afterApi.find(({ role, pid }) => role === 'api' && !before.some((old) => old.pid === pid))!;
    await eventually(
      () => listeningDescriptors(replacement.pid, listeningSocketInode(PORT)),
      (descriptors) => descriptors === DESCRIPTORS_PER_API_PROCESS,
    );
    expect(listeningDescriptors(supervisor.pid!, listeningSocketInode(PORT))).toBe(1);

    const killedWorker = before.find(({ role }) => role === 'worker')!;
    process.kill(killedWorker.pid, 'SIGKILL');
    await eventually(
      () => children(supervisor.pid!),
      (found) => found.some(({ role, pid }) => role === 'worker' && pid !== killedWorker.pid),
    );
    await eventually(ready, Boolean);
    await analysedThroughTheSupervisor(901);
    expect(output).toMatch(new RegExp(`api process ${killedApi.pid} exited \\(SIGKILL\\); starting another`));
    expect(output).toMatch(new RegExp(`worker process ${killedWorker.pid} exited \\(SIGKILL\\); starting another`));
  }, 60_000);

  it('spreads kept-alive connections evenly over the api processes, one that had none at first included', async () => {
    const count = 100;
    const api = children(supervisor.pid!)
      .filter(({ role }) => role === 'api')
      .map(({ pid }) => pid);
    // Stopped, one process accepts nothing and stops reporting: every connection goes to the other.
    process.kill(api[1], 'SIGSTOP');
    let clients: ReturnType<typeof runKeptAliveClients> | undefined;
    let answers: Record<string, number> = {};
    try {
      try {
        // Until the supervisor leaves it out of the share: its last report may have been sent a period before
        // it stopped, and read late.
        await sleep(STALE_AFTER_MS + 2 * REPORT_EVERY_MS + 500);
        clients = runKeptAliveClients(count, 100);
        // At least: the readiness probes' own connection may be there too.
        await eventually(
          () => heldConnections(api),
          ([held]) => held >= count,
          10_000,
        );
      } finally {
        process.kill(api[1], 'SIGCONT');
      }
      await eventually(
        () => heldConnections(api),
        // Some are always between a closed connection and its client's next one.
        ([first, second]) => Math.min(first, second) >= 0.4 * (first + second),
        20_000,
      );
    } finally {
      answers = (await clients?.stop()) ?? {};
    }
    expect(answers).toEqual({ 200: expect.any(Number) });
    expect(output).toMatch(/Holds \d+ connections, \d+ over an even share: closing \d+ as their answers go out/);
  }, 40_000);

  it('accepts a burst of connections through the descriptors it holds, then closes them and takes a fresh reserve', async () => {
    const apiProcesses = children(supervisor.pid!).filter(({ role }) => role === 'api');
    // Stopped, the API processes accept nothing: the connections wait in the kernel's accept queue.
    apiProcesses.forEach(({ pid }) => process.kill(pid, 'SIGSTOP'));
    const burst = Array.from({ length: 600 }, () => connect({ host: '127.0.0.1', port: PORT }));
    try {
      await Promise.all(burst.map((socket) => once(socket, 'connect')));
      // Longer than the accept queue's sampling period, so the first sample after waking finds them waiting.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      apiProcesses.forEach(({ pid }) => process.kill(pid, 'SIGCONT'));
    }
    const answers = burst.map((socket) => {
      let received = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
      socket.write('GET /health/live HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
      return once(socket, 'close').then(() => received.split('\r\n')[0]);
    });
    expect(await Promise.all(answers)).toEqual(Array(600).fill('HTTP/1.1 200 OK'));
    await eventually(
      () => output,
      (text) => /\d+ connections wait to be accepted: accepting through 240 more descriptors until they are taken/.test(text),
    );
    const retired = await eventually(
      () => [...output.matchAll(/The connection burst is accepted, (\d+) of its connections through the reserve: back to 16 descriptors/g)],
      (found) => found.length > 0,
    );
    expect(retired.reduce((sum, [, through]) => sum + Number(through), 0)).toBeGreaterThan(0);
    const inode = listeningSocketInode(PORT);
    await eventually(
      () => apiProcesses.map(({ pid }) => listeningDescriptors(pid, inode)),
      (counts) => counts.every((count) => count === DESCRIPTORS_PER_API_PROCESS),
    );
    await analysedThroughTheSupervisor(902);
  }, 60_000);

  it('on SIGTERM answers the requests in flight, then stops every process it started and leaves nothing on the port', async () => {
    const running = children(supervisor.pid!);
    // Requests whose body is still arriving when the stop begins, on connections most of which came in
    // through the extra descriptors (15 of each process's 16).
    const inFlight = Array.from({ length: 8 }, (_, n) => new HalfSentRequest(PORT, JSON.stringify({ abstract: sampleAbstract(910 + n) })));
    await Promise.all(inFlight.map((pending) => pending.sendFirstHalf()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    supervisor.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = await Promise.all(inFlight.map((pending) => pending.finish()));
    expect(answers.map((answer) => answer.split('\r\n')[0])).toEqual(Array(8).fill('HTTP/1.1 202 Accepted'));
    const [code] = await once(supervisor, 'exit');
    expect(code).toBe(0);
    for (const { pid } of running) expect(() => process.kill(pid, 0)).toThrow();
    expect(await portAccepts()).toBe(false);
  }, 30_000);
});
