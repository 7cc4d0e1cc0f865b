'use strict';
/**
 * Runs inside fresh network and mount namespaces (`unshare -n -m`), where nothing answers on 127.0.0.1:6379:
 * starts the `npm start` launcher, waits until the service is ready, stops it and prints what it saw
 * as one JSON line. It stops the launcher with the signal in STOP_SIGNAL (SIGTERM when unset), sent to
 * its whole process group when GROUP_SIGNAL is set, as a terminal does on Ctrl-C or when it closes. While
 * the service stops, a request whose body never ends keeps an API process busy for a second, and the
 * scenario notes whether Redis still answers then. With KILL_FIRST set, a first launcher is SIGKILLed once
 * ready, leaving its private Redis behind, and the second launcher is the one stopped.
 */
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { once } = require('node:events');
const net = require('node:net');
const path = require('node:path');
const { DEFAULT_REDIS, redisAnswers } = require('../../scripts/lib/private-redis');

const ROOT = path.join(__dirname, '..', '..');
const PORT = 18700;

async function waitForReady(launcher, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && launcher.exitCode === null) {
    const answer = await fetch(`http://127.0.0.1:${PORT}/health/ready`).catch(() => undefined);
    if (answer?.ok) return answer.json();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

async function portCloses(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await fetch(`http://127.0.0.1:${PORT}/health/live`).then(() => true, () => false))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function main() {
  spawnSync('ip', ['link', 'set', 'lo', 'up']);
  // The launcher's private Redis keeps its append-only file under data/redis: here it goes to a tmpfs of
  // this mount namespace, not into the data of an npm start running beside the tests.
  mkdirSync(path.join(ROOT, 'data'), { recursive: true });
  spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', path.join(ROOT, 'data')]);
  const redisBefore = await redisAnswers(DEFAULT_REDIS);
  const environment = { ...process.env, PORT: String(PORT), LOG_LEVEL: 'warn', PATH: process.argv[2] ?? process.env.PATH };
  delete environment.REDIS_URL;
  const signal = process.env.STOP_SIGNAL ?? 'SIGTERM';
  const toGroup = process.env.GROUP_SIGNAL === '1';
  const killFirst = process.env.KILL_FIRST === '1';
  delete environment.STOP_SIGNAL;
  delete environment.GROUP_SIGNAL;
  delete environment.KILL_FIRST;
  let output = '';
  // detached: a process group of its own, led by the launcher, as a shell makes for a job.
  const startLauncher = () => {
    const started = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], { cwd: ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    started.stdout.on('data', (chunk) => (output += chunk));
    started.stderr.on('data', (chunk) => (output += chunk));
    return started;
  };
  let redisLeftBehind;
  if (killFirst) {
    const first = startLauncher();
    await waitForReady(first, 30_000);
    const killed = once(first, 'exit');
    process.kill(first.pid, 'SIGKILL');
    await killed;
    // Its service processes end as their channel to it closes; its Redis has no such tie.
    await portCloses(10_000);
    redisLeftBehind = await redisAnswers(DEFAULT_REDIS);
  }
  const launcher = startLauncher();
  const exited = once(launcher, 'exit');

  const ready = await waitForReady(launcher, 30_000);
  const unfinished = net.connect({ host: '127.0.0.1', port: PORT });
  unfinished.on('error', () => undefined);
  await once(unfinished, 'connect').catch(() => undefined);
  unfinished.write('POST /analyze HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":');
  if (launcher.exitCode === null) process.kill(toGroup ? -launcher.pid : launcher.pid, signal);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const redisWhileStopping = await redisAnswers(DEFAULT_REDIS);
  unfinished.destroy();
  const [exitCode] = await exited;
  const redisAfter = await redisAnswers(DEFAULT_REDIS);
  const portAfter = await fetch(`http://127.0.0.1:${PORT}/health/live`).then(() => 'open', () => 'closed');
  process.stdout.write(`${JSON.stringify({ redisBefore, redisLeftBehind, ready, redisWhileStopping, exitCode, redisAfter, portAfter, output })}\n`);
}

void main();
