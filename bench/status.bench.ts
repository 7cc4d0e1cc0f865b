/**
 * npm run bench:status — polling benchmark: GET /status/:id answers per second on the service as
 * `npm start` runs it, for a random mix of finished and pending requests.
 *
 *   npm run bench:status -- [--ids 2000] [--connections 1000,10000] [--duration 15] [--rounds 3] [--warmup 3] [--finished-share 0.5]
 *                           [--client wrk|autocannon] [--threads 2] [--workers 0] [--paced-rate 15000] [--paced-connections 10000]
 *                           [--paced-processes 10] [--paced-warmup 3]
 *
 * 1. `node scripts/start.js` (workers on): submit `ids` distinct abstracts, wait until every one is done.
 * 2. Restart it with WORKER_CONCURRENCY=0 and submit `ids` more: they stay queued (pending).
 * 3. With that service (api processes only; the polled read needs no worker), GET /status/<id> with a random
 *    id, finished with probability `finished-share`, for each connection count. The load client (`--client`):
 *    wrk when it is on PATH, in `--threads N` threads (default 2), else autocannon, in this process
 *    (`--workers 0`, the default) or in N worker threads. `--rounds N` goes through the connection counts N
 *    times, after a `--warmup` s run at ≤100 connections, and adds each figure's median.
 * 4. In each round, when h2load is on PATH, a paced run: `--paced-connections` connections that together send
 *    `--paced-rate` requests a second, each on its own schedule rather than when its last answer came, for the
 *    latency at that rate rather than at saturation (`--paced-rate 0` skips it), split over `--paced-processes`
 *    h2load processes; its settled latencies leave out the requests of its first `--paced-warmup` seconds, while
 *    the connections open. See bench/lib/h2load-client.ts.
 * Redis database 15, flushed before and after. Figures go to stdout, docs/benchmarks.md (bench:status) and
 * docs/benchmarks.json.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runBench } from './lib/cleanup';
import { CpuShare, backgroundLoad, describeCpu } from './lib/cpu';
import { ensureFdLimit } from './lib/fd-limit';
import { h2loadClient, h2loadVersion, pacedIntervalMs } from './lib/h2load-client';
import { LOAD_CLIENT_OPTIONS, LoadClient, LoadFigures, chooseClient, runLoad } from './lib/load';
import { log } from './lib/log';
import { assertRedisAnswers, flushDatabase, redisServerPid } from './lib/redis';
import { ACCEPT_QUEUE_NOTE, commandLine, describeAcceptQueue, describeCodes, fmt, median, nonDefaultOptions, publishReport, round, runJson, serviceRevision, timeoutNote } from './lib/report';
import type { AcceptQueue } from './lib/accept-queue';
import { serviceWithPolledRequests } from './lib/polled-requests';
import { passedThroughSettings } from './lib/servers';
import { statusWorkload } from './lib/workloads';

const DATABASE = 15;

interface Run {
  round: number;
  connections: number;
  figures: LoadFigures;
  cpu: CpuShare;
  acceptQueue?: AcceptQueue;
}

const medianOf = (runs: Run[]) => (pick: (figures: LoadFigures) => number) => fmt(median(runs.map((run) => pick(run.figures))));

/** Each figure's median over the rounds at one connection count. */
function medianRow(connections: number, runs: Run[]): string {
  const of = medianOf(runs);
  return `| median | ${fmt(connections)} | **${of((f) => f.answersPerSecond)}** | ${of((f) => (f.statusCodes['200'] ?? 0) / f.seconds)} | ${of((f) => f.p50)} | ${of((f) => f.p90)} | ${of((f) => f.p99)} | | ${of((f) => f.errors)} | ${of((f) => f.timeouts)} | |`;
}

/** The paced client, or undefined (said why) when `rate` is 0 or h2load is not installed. */
function pacedClient(rate: number, processes: number, warmupSeconds: number): LoadClient | undefined {
  if (rate === 0) return undefined;
  const version = h2loadVersion();
  if (!version) {
    log('h2load not found on PATH (Debian package nghttp2-client: apt-get install nghttp2-client): no paced run');
    return undefined;
  }
  return h2loadClient(version, processes, rate, warmupSeconds);
}

/** The settled latencies of a paced run (NaN for a run without them). */
const settled = (figures: LoadFigures) => figures.settled ?? { afterSeconds: Number.NaN, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };

/** Why requests of a paced run after its warm-up may have gone out late, their wait not in the latencies; none when all went on time. */
function lateSending(run: Run, rate: number, intervalMs: number): string[] {
  const { errors, timeouts, answersPerSecond } = run.figures;
  const { max } = settled(run.figures);
  return [
    ...(!(max <= intervalMs) ? [`an answer took ${fmt(max)} ms, longer than the interval`] : []),
    ...(errors + timeouts > 0 ? [`${fmt(errors + timeouts)} requests were lost or timed out`] : []),
    ...(answersPerSecond < 0.99 * rate ? [`${fmt(answersPerSecond)} answers/s is short of the offered ${fmt(rate)} by more than 1%`] : []),
  ];
}

/** The paced runs' table, its median row, and whether any run may have sent requests late after its warm-up. */
function pacedReport(paced: LoadClient, rate: number, connections: number, warmupSeconds: number, runs: Run[]): string[] {
  const intervalMs = pacedIntervalMs(connections, rate);
  const late = runs.flatMap((run) => {
    const reasons = lateSending(run, rate, intervalMs);
    return reasons.length > 0 ? [`round ${run.round}: ${reasons.join('; ')}`] : [];
  });
  const of = medianOf(runs);
  const row = (label: string, value: (pick: (figures: LoadFigures) => number) => string, rest: string) =>
    `| ${label} | ${fmt(connections)} | ${fmt(rate)} | **${value((f) => f.answersPerSecond)}** | ${value((f) => settled(f).p50)} | ${value((f) => settled(f).p90)} | ` +
    `**${value((f) => settled(f).p99)}** | ${value((f) => settled(f).max)} | ${value((f) => f.p99)} | ${value((f) => f.max)} | ${rest}`;
  return [
    `Paced: ${fmt(connections)} connections together send ${fmt(rate)} requests/s, each one request every ${fmt(intervalMs)} ms,`,
    'their schedules spread evenly over that interval; the latencies are at that rate, not at saturation as above.',
    `The connections are split over ${paced.threads} single-threaded h2load processes, each with its own list of ids in the same finished share (an h2load`,
    'process\'s connections walk one list in step). Answered/s counts the requests sent while every connection was running.',
    `"Settled" latencies leave out the requests sent in the first ${fmt(warmupSeconds)} s, while the ${fmt(connections)} connections open and the service`,
    'takes them in; the whole run\'s p99 and max include them.',
    '',
    '| round | connections | offered/s | answered/s | settled p50 ms | settled p90 ms | settled p99 ms | settled max ms | whole-run p99 ms | whole-run max ms | status codes | socket errors | timeouts | accept queue |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(({ round, figures, acceptQueue }) =>
      row(String(round), (pick) => fmt(pick(figures)), `${describeCodes(figures.statusCodes)} | ${fmt(figures.errors)} | ${fmt(figures.timeouts)} | ${describeAcceptQueue(acceptQueue)} |`),
    ),
    ...(runs.length > 1 ? [row('median', of, `| ${of((f) => f.errors)} | ${of((f) => f.timeouts)} | |`)] : []),
    '',
    'p99 ms of the requests sent in each second of the run, from its first (the opening, then the settled seconds; the last second is partial):',
    ...runs.map(({ round, figures }) => `- round ${round}: ${(figures.p99BySecond ?? []).map((p99) => fmt(p99)).join(', ')}`),
    '',
    late.length === 0
      ? `After the warm-up, in every round no answer took longer than the ${fmt(intervalMs)} ms between a connection's requests, none was lost or timed out, and the answers kept within 1% of the offered rate: ` +
        'no request waited behind a slower one on its connection. (A delay in h2load\'s own sending would not show in the latencies.)'
      : `Some requests may have gone out late, their wait not counted in the latencies: ${late.join('; ')}.`,
  ];
}

async function main(): Promise<void> {
  const options = {
    ids: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '1000,10000' },
    duration: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    'finished-share': { type: 'string', default: '0.5' },
    ...LOAD_CLIENT_OPTIONS,
    timeout: { type: 'string', default: '10' },
    port: { type: 'string', default: '18953' },
    'paced-rate': { type: 'string', default: '15000' },
    'paced-connections': { type: 'string', default: '10000' },
    'paced-processes': { type: 'string', default: '10' },
    'paced-warmup': { type: 'string', default: '3' },
  } as const;
  const { values } = parseArgs({ options });
  const count = Number(values.ids);
  const connectionCounts = values.connections.split(',').map(Number);
  const duration = Number(values.duration);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a whole number ≥ 1 (${values.rounds})`);
  const finishedShare = Number(values['finished-share']);
  const timeout = Number(values.timeout);
  const port = Number(values.port);
  const pacedRate = Number(values['paced-rate']);
  const pacedConnections = Number(values['paced-connections']);
  if (![count, duration, finishedShare, timeout, port, pacedRate, pacedConnections, ...connectionCounts].every((value) => Number.isFinite(value) && value >= 0)) {
    throw new Error('every option takes a non-negative number (--connections a comma-separated list)');
  }
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup: whole seconds ≥ 0 (${values.warmup})`);
  const warmupConnections = Math.min(...connectionCounts, 100);
  const client = chooseClient(values, warmup > 0 ? [...connectionCounts, warmupConnections] : connectionCounts);
  if (pacedRate > 0 && !(Number.isInteger(pacedConnections) && pacedConnections >= 1)) {
    throw new Error(`--paced-connections: a whole number ≥ 1 for a paced run (${values['paced-connections']})`);
  }
  const pacedProcesses = Number(values['paced-processes']);
  if (!Number.isInteger(pacedProcesses) || pacedProcesses < 1) throw new Error(`--paced-processes: a whole number ≥ 1 (${values['paced-processes']})`);
  const pacedWarmup = Number(values['paced-warmup']);
  if (!(pacedWarmup >= 0)) throw new Error(`--paced-warmup: seconds ≥ 0 (${values['paced-warmup']})`);
  const paced = pacedClient(pacedRate, pacedProcesses, pacedWarmup);
  const command = commandLine('bench:status');
  const revision = serviceRevision();
  const fds = ensureFdLimit(Math.max(...connectionCounts, paced ? pacedConnections : 0));
  await assertRedisAnswers();
  const redisPid = await redisServerPid();
  await flushDatabase(DATABASE);
  const runs: Run[] = [];
  const pacedRuns: Run[] = [];
  let processes = '';
  let doneSeconds = 0;
  let pendingCheck: Record<string, number> = {};
  const idle: number[] = [];
  try {
    const polled = await serviceWithPolledRequests(port, DATABASE, count);
    const { service, finished, pending } = polled;
    doneSeconds = polled.doneSeconds;
    pendingCheck = polled.pendingStatuses;
    try {
      const roles = service.tree().slice(1).length;
      processes = `${roles} api processes, no worker`;
      const workload = statusWorkload(finished, pending, finishedShare);
      if (warmup > 0) {
        log(`warming up for ${warmup} s with ${warmupConnections} connections`);
        await runLoad({ client, server: service, redisPid, connections: warmupConnections, duration: warmup, timeout, workload });
      }

      const measure = async (round: number, loadClient: LoadClient, connections: number): Promise<Run> => {
        await sleep(1_000);
        idle.push(await backgroundLoad());
        log(`round ${round} of ${rounds}: GET /status/:id with ${fmt(connections)} connections for ${duration} s, ${loadClient.description}...`);
        const run = await runLoad({ client: loadClient, server: service, redisPid, connections, duration, timeout, workload });
        const { figures } = run;
        log(
          `${fmt(connections)} connections: ${fmt(figures.answersPerSecond)} answers/s, p50 ${fmt(figures.p50)} ms, p90 ${fmt(figures.p90)} ms, p99 ${fmt(figures.p99)} ms, ` +
            `max ${fmt(figures.max)} ms, ${describeCodes(figures.statusCodes)}, ${figures.errors} errors, ${figures.timeouts} timeouts, accept queue ${describeAcceptQueue(run.acceptQueue)}`,
        );
        log(`CPU ${describeCpu(run.cpu)}`);
        return { round, connections, figures, cpu: run.cpu, acceptQueue: run.acceptQueue };
      };
      for (let round = 1; round <= rounds; round += 1) {
        for (const connections of connectionCounts) runs.push(await measure(round, client, connections));
        if (paced) pacedRuns.push(await measure(round, paced, pacedConnections));
      }
    } finally {
      await service.stop();
    }
  } finally {
    await flushDatabase(DATABASE);
  }

  const body = [
    `Command: \`${command}\` — ${fmt(count)} finished and ${fmt(count)} pending request ids, each of wrk's GETs picks one at random`,
    `(${Math.round(finishedShare * 100)}% finished: the answer carries the result; the rest queued: small answer with Retry-After).`,
    `${duration} s per connection count, ${rounds} round${rounds > 1 ? 's' : ''} of them on the same service after a ${warmup} s warm-up at ${warmupConnections} connections, ${client.description}, pipelining 1, request timeout ${timeout} s; ${fds.text}; everything on the same machine over 127.0.0.1;`,
    `cores busy with other work just before each run: ${idle.map((cores) => cores.toFixed(2)).join(', ')}.`,
    `Service (${revision}): \`node scripts/start.js\` with WORKER_CONCURRENCY=0 (${processes}) so the pending stay pending, LLM_PROVIDER=offline,`,
    `LOG_LEVEL=warn, THROTTLE_LIMIT = THROTTLE_STATUS_LIMIT = 100,000,000, MAX_QUEUE_SIZE = 10,000,000; Redis database 15.${passedThroughSettings()}`,
    '',
    '| round | connections | answers/s | 200/s | p50 ms | p90 ms | p99 ms | status codes | socket errors | timeouts | accept queue |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      ({ round, connections, figures: f, acceptQueue }) =>
        `| ${round} | ${fmt(connections)} | **${fmt(f.answersPerSecond)}** | ${fmt((f.statusCodes['200'] ?? 0) / f.seconds)} | ${fmt(f.p50)} | ${fmt(f.p90)} | ${fmt(f.p99)} | ${describeCodes(f.statusCodes)} | ${fmt(f.errors)} | ${fmt(f.timeouts)} | ${describeAcceptQueue(acceptQueue)} |`,
    ),
    ...(rounds > 1 ? connectionCounts.map((connections) => medianRow(connections, runs.filter((run) => run.connections === connections))) : []),
    '',
    ...(paced && pacedRuns.length > 0 ? [...pacedReport(paced, pacedRate, pacedConnections, pacedWarmup, pacedRuns), ''] : []),
    'CPU during each run, in cores (from /proc):',
    ...runs.map((run) => `- round ${run.round}, ${fmt(run.connections)} connections: ${describeCpu(run.cpu)}`),
    ...pacedRuns.map((run) => `- round ${run.round}, ${fmt(run.connections)} connections paced at ${fmt(pacedRate)}/s: ${describeCpu(run.cpu)}`),
    '',
    `${client.describeCounting(timeout)}${paced ? ` ${paced.describeCounting(timeout)}` : ''} Socket errors do not include timeouts. ${timeoutNote(Math.max(...connectionCounts), timeout, false)} ${ACCEPT_QUEUE_NOTE}`,
  ].join('\n');
  const figures = {
    command,
    service: revision,
    ids: { finished: count, pending: count, finished_share: finishedShare, pending_statuses: pendingCheck },
    duration_s: duration,
    warmup_s: warmup,
    load_client: { name: client.name, version: client.version, threads: client.threads },
    ulimit_n: { soft: fds.soft, hard: fds.hard },
    background_cores_busy: idle.map((cores) => round(cores, 2)),
    runs: runs.map((run) => ({ round: run.round, connections: run.connections, ...runJson(run) })),
    paced: paced
      ? {
          load_client: { name: paced.name, version: paced.version, threads: paced.threads },
          offered_per_s: pacedRate,
          warmup_s: pacedWarmup,
          runs: pacedRuns.map((run) => ({ round: run.round, connections: run.connections, ...runJson(run), settled_latency_ms: run.figures.settled ?? null, p99_ms_by_second: (run.figures.p99BySecond ?? []).map((p99) => round(p99)) })),
        }
      : null,
  };
  publishReport('bench:status', 'bench:status', body, figures, nonDefaultOptions(options, values));
}

runBench(main);
