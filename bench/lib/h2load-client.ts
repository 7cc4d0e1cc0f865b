/**
 * h2load (nghttp2's load generator; Debian package nghttp2-client) as a paced client: each connection sends
 * `rate ÷ connections` requests a second on its own schedule rather than as soon as its last answer came.
 * A closed loop (wrk, autocannon) runs at the server's saturation, where N connections answered at R a
 * second can only show a mean latency of N ÷ R (Little's law); a paced run shows the latency at a chosen rate.
 *
 * Over HTTP/1.1 a connection has one request out at a time: a request that falls due while its connection
 * still waits for an answer is sent late, and its latency does not count that wait. The report checks for it.
 *
 * Every h2load connection walks the same list of paths from its start, so at any moment the connections of
 * one h2load process ask for the same path or the next. The load is split over `processes` h2load processes,
 * each with its own list, and each list keeps the workload's finished share in every prefix. Within a process
 * the connections start evenly over one interval between a connection's requests, so requests arrive evenly
 * rather than all together at each interval. GET workloads only: h2load sends the same body with every request.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import type { Latencies, LoadClient, LoadFigures, LoadOptions, StartedLoad } from './load';
import { runLoadTool } from './load-tool';
import { percentile } from './report';
import type { StatusWorkload } from './workloads';

/** h2load's version from `h2load --version` ("h2load nghttp2/1.52.0"), or undefined when not installed. */
export function h2loadVersion(): string | undefined {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /nghttp2\/(\S+)/.exec(probe.stdout)?.[1];
}

/** The finest step in which a process starts its connections over the interval. */
const CONNECT_STEP_MS = 10;

/** `processes` single-threaded h2load processes sharing the connections. */
export function h2loadClient(version: string, processes: number, rate: number, warmupSeconds: number): LoadClient {
  return {
    name: 'h2load',
    version,
    threads: processes,
    description: `h2load ${version} in ${processes} single-threaded processes, paced at ${rate.toLocaleString('en-US')} requests/s`,
    describeCounting: (timeout) =>
      'h2load\'s latencies run from the moment each request is sent to its answer. Its socket errors are requests lost with their ' +
      'connection: h2load does not open again a connection the service closed, as it does a few hundred to even the API processes\' ' +
      `shares of connections (src/http/connection-share.ts), so the rest of that connection's schedule goes unsent. Its timeouts, ` +
      `requests whose connection was idle ${timeout} s, are not in the latencies.`,
    start: (options) => startH2load(options, Math.min(processes, options.connections), rate, warmupSeconds),
  };
}

/** The milliseconds between one connection's requests. */
export const pacedIntervalMs = (connections: number, rate: number) => (connections / rate) * 1000;

function startH2load(options: LoadOptions, processes: number, rate: number, warmupSeconds: number): StartedLoad {
  const { connections, duration, timeout, workload } = options;
  if (workload.kind !== 'status') throw new Error('h2load sends one body with every request: it drives GET workloads only');
  const intervalMs = pacedIntervalMs(connections, rate);
  if (rate * duration < connections) throw new Error(`a paced run of ${duration} s at ${rate}/s leaves some of the ${connections} connections no request`);
  // h2load's timeout counts a connection's idle time between its paced requests.
  if (intervalMs >= timeout * 1000) throw new Error(`${connections} connections at ${rate}/s send a request each ${intervalMs} ms, not less than the ${timeout} s timeout`);
  if (warmupSeconds >= duration) throw new Error(`a warm-up of ${warmupSeconds} s leaves nothing of a ${duration} s paced run`);

  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-h2load-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  onCleanup(async () => removeDir());
  const runs = Array.from({ length: processes }, (_, index) => {
    const ownConnections = Math.floor(connections / processes) + (index < connections % processes ? 1 : 0);
    const logFile = join(dir, `requests-${index}.tsv`);
    const uriFile = join(dir, `uris-${index}.txt`);
    const requests = Math.max(ownConnections, Math.round((ownConnections / connections) * rate * duration));
    writeFileSync(uriFile, statusPaths(workload, requests / ownConnections).map((path) => `http://127.0.0.1:${options.server.port}${path}\n`).join(''));
    return { logFile, run: runLoadTool('h2load', h2loadArguments({ connections: ownConnections, requests, intervalMs, timeout, logFile, uriFile })) };
  });
  const finished = Promise.all(runs.map(({ run }) => run.output)).then((outputs) => {
    const counts = outputs.map(h2loadCounts);
    const requestLog = runs.map(({ logFile }) => readFileSync(logFile, 'latin1')).join('');
    removeDir();
    const sum = (pick: (count: H2loadCounts) => number) => counts.reduce((total, count) => total + pick(count), 0);
    return { figures: pacedFigures(requestLog, { intervalMs, warmupMs: warmupSeconds * 1000 }, sum((count) => count.lost), sum((count) => count.timeouts)) };
  });
  return { stop: () => runs.forEach(({ run }) => run.stop()), finished };
}

function h2loadArguments(run: { connections: number; requests: number; intervalMs: number; timeout: number; logFile: string; uriFile: string }): string[] {
  // The connections start in groups spread over one interval (-r and -D exclude each other: the run is a
  // number of requests instead).
  const perGroup = Math.ceil(run.connections / Math.max(1, Math.floor(run.intervalMs / CONNECT_STEP_MS)));
  const periodMs = Math.max(1, Math.floor(run.intervalMs / Math.ceil(run.connections / perGroup)));
  return [
    '--h1',
    '-t1',
    `-c${run.connections}`,
    `-r${perGroup}`,
    `--rate-period=${periodMs}ms`,
    `-n${run.requests}`,
    `--rps=${1000 / run.intervalMs}`,
    `-N${run.timeout}s`,
    `--log-file=${run.logFile}`,
    `-i${run.uriFile}`,
  ];
}

interface H2loadCounts {
  /** Requests lost with their connection, timeouts aside. */
  lost: number;
  timeouts: number;
}

/** From h2load's summary line "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout". */
function h2loadCounts(output: string): H2loadCounts {
  const summary = /requests: .*?(\d+) errored, (\d+) timeout/.exec(output);
  if (!summary) throw new Error(`h2load printed no summary:\n${output.trim().slice(-2_000)}`);
  const [errored, timeouts] = [Number(summary[1]), Number(summary[2])];
  return { lost: errored - timeouts, timeouts };
}

/**
 * Enough paths for `perConnection` requests of each connection (every connection walks the list from its
 * start): finished ids in `finishedShare` of each prefix, give or take one, and pending ones in the rest,
 * each picked at random. The pattern starts at a random phase, so that processes do not all ask for
 * finished ids in the same intervals.
 */
function statusPaths(workload: StatusWorkload, perConnection: number): string[] {
  const pick = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)];
  const phase = Math.random();
  const finishedBy = (count: number) => Math.floor(count * workload.finishedShare + phase);
  return Array.from({ length: Math.ceil(perConnection) }, (_, index) => {
    const finished = finishedBy(index + 1) > finishedBy(index);
    return `${workload.path}${pick(finished ? workload.finished : workload.pending)}`;
  });
}

/**
 * The figures from h2load's per-request log (start in µs since the epoch, status or -1 for a request lost
 * with its connection, µs to the answer; in the order the answers came). Latencies and status codes are of
 * every answer, and the settled latencies of the answers to requests sent `warmupMs` or more after the
 * first. The rates count the answers to requests sent while every connection was running: from one
 * interval after the first start to one interval before the last (the whole run if that is shorter), the
 * end excluded.
 */
export function pacedFigures(requestLog: string, timing: { intervalMs: number; warmupMs: number }, errors: number, timeouts: number): LoadFigures {
  const { intervalMs, warmupMs } = timing;
  const answers = requestLog
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, status, micros] = line.split('\t');
      return { startMs: Number(start) / 1000, status, latencyMs: Number(micros) / 1000 };
    })
    .filter(({ status }) => Number(status) > 0);
  if (answers.length === 0) throw new Error('h2load logged no answer');
  const statusCodes: Record<string, number> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { startMs, status } of answers) {
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    first = Math.min(first, startMs);
    last = Math.max(last, startMs);
  }
  const steadyFrom = last - first > 2 * intervalMs ? first + intervalMs : first;
  const steadyTo = last - first > 2 * intervalMs ? last - intervalMs : last;
  const steady = answers.filter(({ startMs }) => startMs >= steadyFrom && startMs < steadyTo);
  const seconds = (steadyTo - steadyFrom) / 1000;
  const perSecond = (count: number) => (seconds > 0 ? count / seconds : Number.NaN);
  return {
    seconds,
    okPerSecond: perSecond(steady.filter(({ status }) => status.startsWith('2')).length),
    answersPerSecond: perSecond(steady.length),
    ...latenciesOf(answers),
    settled: { afterSeconds: warmupMs / 1000, ...latenciesOf(answers.filter(({ startMs }) => startMs >= first + warmupMs)) },
    p99BySecond: p99BySecond(answers, first),
    statusCodes,
    errors,
    timeouts,
  };
}

/** The p99 latency of the answers to the requests sent in each whole second from `first` (NaN for a second without any). */
function p99BySecond(answers: ReadonlyArray<{ startMs: number; latencyMs: number }>, first: number): number[] {
  const bySecond: number[][] = [];
  for (const { startMs, latencyMs } of answers) (bySecond[Math.floor((startMs - first) / 1000)] ??= []).push(latencyMs);
  return Array.from(bySecond, (latencies = []) => percentile(latencies, 99));
}

function latenciesOf(answers: ReadonlyArray<{ latencyMs: number }>): Latencies {
  const latencies = answers.map(({ latencyMs }) => latencyMs);
  return {
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.length > 0 ? latencies.reduce((slowest, latency) => Math.max(slowest, latency), 0) : Number.NaN,
  };
}
