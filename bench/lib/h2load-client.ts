/**
 * h2load (nghttp2's load generator; Debian package nghttp2-client) as a paced client: each connection sends
 * `rate ÷ connections` requests a second on its own schedule, whether or not the answers keep up. A closed
 * loop (wrk, autocannon) runs at the server's saturation, where N connections answered at R a second can
 * only show a mean latency of N ÷ R (Little's law); a paced run shows the latency at a chosen rate.
 *
 * The connections start evenly over one interval between a connection's requests, so requests arrive
 * evenly rather than all together at each interval, as they would if every connection started at once.
 * GET workloads only: h2load sends the same body with every request.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import type { LoadClient, LoadFigures, LoadOptions, StartedLoad } from './load';
import { runLoadTool } from './load-tool';
import { percentile } from './report';
import type { StatusWorkload } from './workloads';

/** h2load's version from `h2load --version` ("h2load nghttp2/1.52.0"), or undefined when not installed. */
export function h2loadVersion(): string | undefined {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /nghttp2\/(\S+)/.exec(probe.stdout)?.[1];
}

/** Groups the connections start in, one group per CONNECT_STEP_MS, over one interval. */
const CONNECT_STEP_MS = 10;

/** Distinct request paths each connection walks through in turn: a shuffled sample of the workload's mix. */
const PATHS = 4_000;

export function h2loadClient(version: string, threads: number, rate: number): LoadClient {
  return {
    name: 'h2load',
    version,
    threads,
    description: `h2load ${version} with ${threads} threads, paced at ${rate.toLocaleString('en-US')} requests/s`,
    describeCounting: (timeout) =>
      `h2load's latencies run from each request's sending to its answer; its timeouts are connections closed after ${timeout} s without activity.`,
    start: (options) => startH2load(options, threads, rate),
  };
}

/** The seconds between one connection's requests. */
export const pacedInterval = (connections: number, rate: number) => connections / rate;

function startH2load(options: LoadOptions, threads: number, rate: number): StartedLoad {
  const { connections, duration, timeout, workload } = options;
  if (workload.kind !== 'status') throw new Error('h2load sends one body with every request: it drives GET workloads only');
  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-h2load-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const base = `http://127.0.0.1:${options.server.port}`;
  const uriFile = join(dir, 'uris.txt');
  writeFileSync(uriFile, statusPaths(workload).map((path) => `${base}${path}\n`).join(''));
  const logFile = join(dir, 'requests.tsv');
  const intervalMs = pacedInterval(connections, rate) * 1000;
  const groups = Math.max(1, Math.floor(intervalMs / CONNECT_STEP_MS));
  const perGroup = Math.max(threads, Math.ceil(connections / groups));
  // -r (connections per period) and -D exclude each other: the run is a number of requests instead.
  const args = [
    '--h1',
    `-t${threads}`,
    `-c${connections}`,
    `-r${perGroup}`,
    `--rate-period=${CONNECT_STEP_MS}ms`,
    `-n${Math.round(rate * duration)}`,
    `--rps=${rate / connections}`,
    `-N${timeout}s`,
    `--log-file=${logFile}`,
    `-i${uriFile}`,
  ];
  const run = runLoadTool('h2load', args);
  const finished = run.output.then((output) => {
    const summary = /requests: .*?(\d+) errored, (\d+) timeout/.exec(output);
    if (!summary) throw new Error(`h2load printed no summary:\n${output.trim().slice(-2_000)}`);
    return { figures: pacedFigures(readFileSync(logFile, 'latin1'), intervalMs, Number(summary[1]), Number(summary[2])) };
  });
  return { stop: run.stop, finished };
}

/** PATHS request paths, each a finished id with probability finishedShare, else a pending one. */
function statusPaths(workload: StatusWorkload): string[] {
  const pick = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)];
  return Array.from({ length: PATHS }, () => `${workload.path}${pick(Math.random() < workload.finishedShare ? workload.finished : workload.pending)}`);
}

/**
 * The figures from h2load's per-request log (start in µs since the epoch, status, µs to the answer; in the
 * order the answers came). The rates count the requests started while every connection was running: from
 * one interval after the first start to one interval before the last (the whole run if that is shorter),
 * the end excluded.
 */
export function pacedFigures(requestLog: string, intervalMs: number, errors: number, timeouts: number): LoadFigures {
  const requests = requestLog
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, status, micros] = line.split('\t');
      return { startMs: Number(start) / 1000, status, latencyMs: Number(micros) / 1000 };
    });
  const statusCodes: Record<string, number> = {};
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { startMs, status } of requests) {
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    first = Math.min(first, startMs);
    last = Math.max(last, startMs);
  }
  const steadyFrom = last - first > 2 * intervalMs ? first + intervalMs : first;
  const steadyTo = last - first > 2 * intervalMs ? last - intervalMs : last;
  const steady = requests.filter(({ startMs }) => startMs >= steadyFrom && startMs < steadyTo);
  const seconds = (steadyTo - steadyFrom) / 1000;
  const latencies = requests.map(({ latencyMs }) => latencyMs);
  return {
    seconds,
    okPerSecond: steady.filter(({ status }) => status.startsWith('2')).length / seconds,
    answersPerSecond: steady.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.reduce((slowest, latency) => Math.max(slowest, latency), 0),
    statusCodes,
    errors,
    timeouts,
  };
}
