'use strict';
/**
 * Runs `api` and `worker` processes of dist/main.js with node:cluster, so the API processes share one
 * port, and replaces any that dies. A process that keeps dying soon after it started is restarted
 * after a growing pause rather than in a tight loop.
 */
const cluster = require('node:cluster');
const os = require('node:os');
const { ConnectionShares } = require('./connection-shares');

const QUICK_DEATH_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;
const STOP_GRACE_MS = 15_000;
/**
 * Semi-spaces of 128 MiB rather than 16: a request allocates tens of kilobytes that die young, but with
 * 10,000 connections each lives about a second, so small semi-spaces copied every request in flight
 * at each scavenge and promoted it. Side by side at 10,000 connections: 11,700-11,800 accepted/s with
 * 64 MiB, 12,700-12,900 with 128 (API processes peaking at 530-650 and 580-600 MB resident), 13,300-13,800
 * with 256 (about 1 GB resident). On a paravirtualised machine, where page faults cost more, 256 took 19%
 * more CPU per request than 128, and 64 about 3% less (one API process of each against one of 128, same load).
 */
const NODE_FLAGS = ['--max-semi-space-size=128'];
/**
 * Worker processes run at a lower priority than API processes on the machine they share: when both want the
 * cores (a burst of submissions while the worker analyses), answering clients comes first, and the worker
 * catches up as the burst ends; a worker waiting on the LLM needs little CPU anyway. 10 steps nicer, it keeps
 * about a tenth of an API process's share when both are busy: slowed, never stopped. Side by side at 10,000
 * connections on 2 cores, 3 pairs: the worker took 0.14 cores instead of 0.19-0.20, p99 was 2.04, 2.15 and
 * 1.93 s instead of 2.15, 2.42 and 2.43, and accepted/s 7,262, 7,219 and 7,586 instead of 6,726, 7,347 and 7,146.
 */
const WORKER_NICENESS = 10;
const NICEST = 19;
/**
 * The most copies of its listening socket an API process may ask for at once, and the messages that ask and
 * give them (src/http/extra-acceptors.ts says why and how many).
 */
const MAX_ACCEPTOR_COPIES = 1_000;
const ACCEPTORS_OFFER = 'rpa:acceptors-offer';
const ACCEPTORS_REQUEST = 'rpa:acceptors-request';
const ACCEPTOR_HANDLE = 'rpa:acceptor-handle';
/**
 * How a process ends when told to stop: by the signal it shut down on (the supervisor's SIGTERM, or the
 * terminal's SIGINT or SIGHUP, which reach the whole process group), which it raises again, or exiting 0.
 */
const endedAsTold = (code, signal) => code === 0 || ['SIGTERM', 'SIGINT', 'SIGHUP'].includes(signal);

class Supervisor {
  constructor({ main, api, workers, say }) {
    this.plan = [...Array(api).fill('api'), ...Array(workers).fill('worker')];
    this.say = say;
    this.stopping = false;
    this.restartDelays = new Map();
    this.timers = new Set();
    /** The live processes and their roles. */
    this.children = new Map();
    this.connectionShares = new ConnectionShares();
    // Each API process accepts its own connections. With the default round-robin the primary accepts
    // them all and hands them over one IPC message at a time: with 10,000 connections opening at once,
    // thousands waited seconds in the primary before an API process saw them.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: main, execArgv: [...process.execArgv, ...NODE_FLAGS] });
    cluster.on('listening', (child) => child.send({ rpa: ACCEPTORS_OFFER }, undefined, () => undefined));
  }

  start() {
    this.plan.forEach((role, slot) => this.fork(role, slot));
    this.say(`running ${this.count('api')} api and ${this.count('worker')} worker process(es)`);
  }

  count(role) {
    return this.plan.filter((planned) => planned === role).length;
  }

  fork(role, slot) {
    const startedAt = Date.now();
    let child;
    try {
      child = cluster.fork({ APP_ROLE: role });
    } catch (error) {
      // Node throws the spawn errors it does not expect (ENOMEM, say).
      return this.replace(role, slot, 0, `could not start a ${role} process (${error.message})`);
    }
    this.children.set(child, role);
    if (role === 'worker') lowerPriority(child.process.pid, (error) => this.say(`worker process ${child.process.pid} keeps its priority: ${error.message}`));
    child.on('message', (message, handle) => {
      sendAcceptors(child, message, handle);
      this.connectionShares.take(child, message);
    });
    child.on('error', (error) => {
      // A process that failed to spawn (EAGAIN, EMFILE) reports this error and never exits. Any other error
      // is a message that could not be sent; the process's exit, if it is dying, comes on its own.
      if (child.process.pid !== undefined) return this.say(`${role} process ${child.process.pid}: ${error.message}`);
      this.forget(child);
      this.replace(role, slot, 0, `could not start a ${role} process (${error.message})`);
    });
    child.once('exit', (code, signal) => {
      this.forget(child);
      const what = `${role} process ${child.process.pid} exited (${signal ?? `code ${code}`})`;
      if (this.stopping && !endedAsTold(code, signal)) this.say(`${what} while stopping`);
      this.replace(role, slot, Date.now() - startedAt, what);
    });
  }

  /** A process gone, or never started: nothing is to be sent to it, nor waited for when stopping. */
  forget(child) {
    this.children.delete(child);
    this.connectionShares.forget(child);
  }

  /** Starts another process in `slot`, after a pause that grows while its processes keep dying young. */
  replace(role, slot, livedMs, what) {
    if (this.stopping) return;
    const delay = this.nextDelay(slot, livedMs);
    this.say(`${what}; starting another${delay ? ` in ${delay} ms` : ''}`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.fork(role, slot);
    }, delay);
    this.timers.add(timer);
  }

  nextDelay(slot, livedMs) {
    const delay = livedMs < QUICK_DEATH_MS ? Math.min(Math.max(2 * (this.restartDelays.get(slot) ?? 0), 250), MAX_RESTART_DELAY_MS) : 0;
    this.restartDelays.set(slot, delay);
    return delay;
  }

  /**
   * SIGTERM to every process, SIGKILL to any still running after the grace period. Resolves false when one
   * had to be killed: its requests or analyses in hand did not finish. (One that ends otherwise than as told
   * is reported as it exits.)
   */
  async stop() {
    this.stopping = true;
    this.timers.forEach(clearTimeout);
    let killed = false;
    const endings = [...this.children].map(
      ([child, role]) =>
        new Promise((resolve) => {
          const kill = setTimeout(() => {
            this.say(`${role} process ${child.process.pid} did not stop within ${STOP_GRACE_MS / 1000} s: killing it`);
            killed = true;
            child.process.kill('SIGKILL');
          }, STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.process.kill('SIGTERM');
        }),
    );
    await Promise.all(endings);
    return !killed;
  }
}

/**
 * Makes the process WORKER_NICENESS steps nicer than it started. A process that could not be spawned has no
 * pid, and one already dead cannot be changed: both are reported elsewhere.
 */
function lowerPriority(pid, report) {
  if (pid === undefined) return;
  try {
    os.setPriority(pid, Math.min(os.getPriority(pid) + WORKER_NICENESS, NICEST));
  } catch (error) {
    if (error.code !== 'ESRCH') report(error);
  }
}

/**
 * Sends an API process's listening socket back to it as many times as it asked: each copy arrives as a
 * descriptor of its own. This process never listens on its copy, so it accepts nothing; it closes it once
 * every copy is sent or the API process is gone, as a copy kept would hold the port open with no one accepting.
 */
function sendAcceptors(child, message, handle) {
  if (message?.rpa !== ACCEPTORS_REQUEST || !handle) return;
  const copies = Math.min(Math.max(Math.trunc(Number(message.count)) || 0, 0), MAX_ACCEPTOR_COPIES);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    handle.close();
  };
  // A process already gone would never take them: queued sends to it never complete.
  if (copies === 0 || child.isDead() || !child.isConnected()) return close();
  // Sends still queued when the process dies never call back.
  child.once('exit', close);
  let unsent = copies;
  const sent = () => {
    unsent -= 1;
    if (unsent > 0) return;
    child.off('exit', close);
    close();
  };
  for (let n = 0; n < copies; n += 1) child.send({ rpa: ACCEPTOR_HANDLE }, handle, sent);
}

module.exports = { NODE_FLAGS, WORKER_NICENESS, Supervisor };
