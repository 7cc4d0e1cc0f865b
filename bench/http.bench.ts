/**
 * npm run bench — HTTP submission benchmark: how many POST /analyze the service accepts per second under
 * many concurrent connections, next to a bare Fastify + Bull server (bench/bare-baseline.server.ts)
 * measured in the same run on the same machine.
 *
 *   npm run bench -- [--rounds 3] [--connections 10000] [--duration 20] [--drain] [--skip-baseline]
 *                    [--client wrk|autocannon] [--threads 2] [--workers 0] [--warmup 3] [--timeout 10] [--drain-cap 600]
 *                    [--think-time 1-3]
 *
 * - `--rounds N`: N rounds of baseline then service, each server started afresh; the report gives every
 *   round and each figure's median, and the ratio as the median of the rounds' ratios (this machine is shared
 *   and one run can be off by a tenth either way).
 * - Each request carries a different ~800-character text of random words (a pre-built pool of 10,000
 *   texts, plus a per-request tag so no text repeats and the service's result cache never answers).
 * - Target A: the baseline, one process. Target B: `node scripts/start.js` (npm start: WEB_CONCURRENCY api
 *   processes on one port + WORKER_CONCURRENCY workers) with LLM_PROVIDER=offline and the service's limits
 *   raised out of the way. Both against Redis database 14, flushed before each target.
 * - Afterwards every request_id the service answered 202 is looked up in its read model (rpa:request:<id>),
 *   and each still queued in the queue's unfinished jobs; with --drain the run then waits for the queue to empty
 *   and reports the analysis rate, in a section of its own (bench:http-drain).
 * - The load client (`--client`): wrk when it is on PATH, in `--threads N` threads (default 2), else autocannon,
 *   in this process (`--workers 0`, the default) or in N worker threads (`--workers N`). wrk takes a fraction
 *   of the CPU autocannon does from the server under test.
 * - `--think-time MIN-MAX` (seconds, wrk only): each connection waits a random time in that range before each
 *   request, as the users of the original Locust test did, instead of running a closed loop; the clients then
 *   set the pace (at most connections ÷ the mean wait), and the latencies say how well they were served. Its
 *   report goes to a section of its own (bench:http-think-time).
 *
 * Figures go to stdout, docs/benchmarks.md (section bench:http, bench:http-drain or bench:http-think-time) and
 * docs/benchmarks.json.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { FakeGroqServer } from '../test/fakes/fake-groq-server';
import { runBench, wasInterrupted } from './lib/cleanup';
import { CpuShare, backgroundLoad, describeCpu, serverCores } from './lib/cpu';
import { ensureFdLimit } from './lib/fd-limit';
import { CollectedIds, LOAD_CLIENT_OPTIONS, LoadFigures, chooseClient, idsOf, runLoad } from './lib/load';
import { log } from './lib/log';
import { requestIdsInJobs } from './lib/queued-jobs';
import { assertRedisAnswers, flushDatabase, redisServerPid, requestStatuses } from './lib/redis';
import { ACCEPT_QUEUE_NOTE, commandLine, describeAcceptQueue, describeCodes, fmt, median, nonDefaultOptions, publishReport, round, runJson, serviceRevision, timeoutNote } from './lib/report';
import type { AcceptQueue } from './lib/accept-queue';
import { AnalyzeWorkload, analyzeWorkload, describeThinkTime, ThinkTime, thinkTimeOf } from './lib/workloads';
import {
  SERVICE_NODE_FLAGS,
  ServerProcess,
  passedThroughSettings,
  serviceEnvironment,
  serviceProcesses,
  startBaseline,
  startService,
  unlimitedFakeGroqSettings,
} from './lib/servers';

const DATABASE = 14;

interface Target {
  name: string;
  label: string;
  figures: LoadFigures;
  cpu: CpuShare;
  acceptQueue?: AcceptQueue;
}

interface Verification {
  checked: number;
  missing: number;
  malformed: number;
  /** Answers 202 whose id never reached the check (counted as missing too). */
  unread: number;
  /** Requests recorded as queued that no unfinished job carries (counted as missing too). */
  withoutJob: number;
  statuses: Record<string, number>;
}

/**
 * Every 202 must have its record, and a request still queued its job. The jobs are read before the records,
 * so a job finished in between has already moved its requests on from queued.
 */
async function verifyJobs(ids: CollectedIds, accepted: number): Promise<Verification> {
  const inJobs = await requestIdsInJobs(DATABASE);
  let withoutJob = 0;
  const { missing = 0, ...statuses } = await requestStatuses(DATABASE, idsOf(ids), (id, status) => {
    if (status === 'queued' && !inJobs.has(id)) withoutJob += 1;
  });
  const checked = Object.values(statuses).reduce((sum, count) => sum + count, missing);
  // A record that exists but is neither queued, processing nor done (e.g. error) counts as not backed by a job.
  const unexpected = Object.entries(statuses)
    .filter(([status]) => !['queued', 'processing', 'done'].includes(status))
    .reduce((sum, [, count]) => sum + count, 0);
  // An id the client never wrote down cannot be shown to have its record: it counts as missing.
  const unread = Math.max(0, accepted - checked - ids.malformed);
  return { checked, missing: missing + unexpected + unread + withoutJob, malformed: ids.malformed, unread, withoutJob, statuses };
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
  const readStatus = async (): Promise<ServiceStatus> => {
    const response = await fetch(`${baseUrl}/status`);
    if (!response.ok) throw new Error(`GET ${baseUrl}/status: ${response.status}`);
    return (await response.json()) as ServiceStatus;
  };
  const first = await readStatus();
  const startedAt = performance.now();
  let last = first;
  for (;;) {
    const left = last.queue.waiting + last.queue.active + last.queue.delayed;
    const seconds = (performance.now() - startedAt) / 1000;
    const failed = last.analyses.failed - first.analyses.failed;
    const analysed = last.analyses.processed - first.analyses.processed + failed;
    if (left === 0 || seconds >= capSeconds || wasInterrupted()) {
      return { seconds, analysed, failed, perSecond: seconds > 0 ? analysed / seconds : Number.NaN, finished: left === 0, left };
    }
    if (Math.round(seconds) % 10 === 0) log(`draining: ${fmt(left)} jobs left, ${fmt(analysed)} analysed in ${seconds.toFixed(0)} s`);
    await sleep(1_000);
    last = await readStatus();
  }
}

/** With think time the clients set the pace: accepted/s says how much they asked for, the latencies how well they were served. */
function offeredLoadNote(connections: number, thinkMs: ThinkTime): string {
  const offered = connections / ((thinkMs.min + thinkMs.max) / 2 / 1000);
  return (
    `Think time: the clients ask for at most ${fmt(offered)} requests/s (${fmt(connections)} connections ÷ the mean wait), less as answers take longer, ` +
    'so accepted/s shows what a target kept up with rather than its capacity; the latencies are the figures to compare.'
  );
}

/** Server-side CPU (every server process and Redis, not the load generator or others) per accepted request. */
function serverMicroseconds(target: Target): string {
  const cores = serverCores(target.cpu) + (target.cpu.usage.redis ?? 0);
  return `≈ ${fmt((cores / target.figures.okPerSecond) * 1e6)} µs of server + Redis CPU per accepted request`;
}

function row(target: Target, round: string): string {
  const f = target.figures;
  return `| ${round} | ${target.label} | **${fmt(f.okPerSecond)}** | ${fmt(f.answersPerSecond)} | ${fmt(f.p50)} | ${fmt(f.p90)} | ${fmt(f.p99)} | ${describeCodes(f.statusCodes)} | ${fmt(f.errors)} | ${fmt(f.timeouts)} | ${describeAcceptQueue(target.acceptQueue)} |`;
}

/** Each figure's median over the rounds (answers by status and the accept queue are per round only). */
function medianRow(targets: Target[]): string {
  const of = (pick: (figures: LoadFigures) => number) => fmt(median(targets.map((target) => pick(target.figures))));
  return `| median | ${targets[0].label} | **${of((f) => f.okPerSecond)}** | ${of((f) => f.answersPerSecond)} | ${of((f) => f.p50)} | ${of((f) => f.p90)} | ${of((f) => f.p99)} | | ${of((f) => f.errors)} | ${of((f) => f.timeouts)} | |`;
}

/** One round: the baseline (unless skipped), then the service, each on a quiet machine of its own. */
interface Round {
  baseline?: Target;
  target: Target;
  verification: Verification;
  drain?: Drain;
}

function totalVerification(verifications: Verification[]): Verification {
  const statuses: Record<string, number> = {};
  for (const verification of verifications) {
    for (const [status, count] of Object.entries(verification.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  const sum = (pick: (verification: Verification) => number) => verifications.reduce((total, verification) => total + pick(verification), 0);
  return {
    checked: sum((v) => v.checked),
    missing: sum((v) => v.missing),
    malformed: sum((v) => v.malformed),
    unread: sum((v) => v.unread),
    withoutJob: sum((v) => v.withoutJob),
    statuses,
  };
}

async function main(): Promise<void> {
  const options = {
    connections: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    drain: { type: 'boolean', default: false },
    'skip-baseline': { type: 'boolean', default: false },
    ...LOAD_CLIENT_OPTIONS,
    warmup: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '10' },
    'drain-cap': { type: 'string', default: '600' },
    port: { type: 'string', default: '18952' },
    'baseline-port': { type: 'string', default: '18951' },
    analyser: { type: 'string', default: 'groq' },
    'groq-latency-ms': { type: 'string', default: '300' },
    'think-time': { type: 'string' },
  } as const;
  const { values } = parseArgs({ options });
  if (values.analyser !== 'groq' && values.analyser !== 'offline') throw new Error(`--analyser: groq or offline (${values.analyser})`);
  const connections = Number(values.connections);
  const duration = Number(values.duration);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a whole number ≥ 1 (${values.rounds})`);
  const warmup = Number(values.warmup);
  const timeout = Number(values.timeout);
  const drainCap = Number(values['drain-cap']);
  const port = Number(values.port);
  const baselinePort = Number(values['baseline-port']);
  for (const [name, value] of Object.entries({ connections, duration, warmup, timeout, drainCap, port, baselinePort })) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: not a number (${value})`);
  }
  const warmupConnections = Math.min(connections, 100);
  const client = chooseClient(values, warmup > 0 ? [connections, warmupConnections] : [connections]);
  const thinkMs = values['think-time'] === undefined ? undefined : thinkTimeOf(values['think-time']);
  if (thinkMs && client.name !== 'wrk') throw new Error('--think-time needs wrk: autocannon has no wait between a connection\'s requests');
  const command = commandLine('bench');
  const revision = serviceRevision();
  const fds = ensureFdLimit(connections);
  await assertRedisAnswers();
  const redisPid = await redisServerPid();
  // The warm-up runs a closed loop whatever the measured run does: it is there to compile the hot paths.
  const warmupWorkload = analyzeWorkload();
  const workload = analyzeWorkload(thinkMs);
  const thinkTimeText = thinkMs ? `, each waiting ${describeThinkTime(thinkMs)} before each request` : '';
  log(`${command}: ${fmt(connections)} connections${thinkTimeText}, ${duration} s per target, ${client.description}, pipelining 1, timeout ${timeout} s`);

  const load = async (server: ServerProcess, seconds: number, conns: number, loadWorkload: AnalyzeWorkload) =>
    runLoad({ client, server, redisPid, connections: conns, duration: seconds, timeout, workload: loadWorkload });
  const measure = async (server: ServerProcess) => {
    if (warmup > 0) {
      log(`${server.name}: warming up for ${warmup} s with ${warmupConnections} connections`);
      await load(server, warmup, warmupConnections, warmupWorkload);
    }
    log(`${server.name}: ${fmt(connections)} connections${thinkTimeText} for ${duration} s...`);
    const run = await load(server, duration, connections, workload);
    const { figures } = run;
    log(`${server.name}: ${fmt(figures.okPerSecond)} accepted/s, p50 ${fmt(figures.p50)} ms, p99 ${fmt(figures.p99)} ms, ${describeCodes(figures.statusCodes)}, ${figures.errors} errors, ${figures.timeouts} timeouts, accept queue ${describeAcceptQueue(run.acceptQueue)}`);
    log(`${server.name}: CPU ${describeCpu(run.cpu)}`);
    return { run, figures };
  };

  const measureBaseline = async (): Promise<Target> => {
    await flushDatabase(DATABASE);
    const baseline = await startBaseline(baselinePort, DATABASE);
    try {
      const { run, figures } = await measure(baseline);
      return { name: 'baseline', label: 'bare Fastify + Bull, 1 process', figures, cpu: run.cpu, acceptQueue: run.acceptQueue };
    } finally {
      await baseline.stop();
      await sleep(2_000);
    }
  };
  const measureService = async (withDrain: boolean): Promise<{ target: Target; verification: Verification; drain?: Drain }> => {
    await flushDatabase(DATABASE);
    const fakeGroq = values.analyser === 'groq' ? new FakeGroqServer({ latencyMs: Number(values['groq-latency-ms']) }) : undefined;
    const groqSettings: Record<string, string> = fakeGroq ? unlimitedFakeGroqSettings((await fakeGroq.start()).baseUrl) : {};
    const service = await startService(port, serviceEnvironment(port, DATABASE, groqSettings));
    try {
      const { api, worker } = serviceProcesses(service);
      processes = `${api} api + ${worker} worker processes`;
      const { run, figures } = await measure(service);
      log(`checking the ${fmt(run.ids!.count)} request ids answered 202 against rpa:request:<id> and the queue's unfinished jobs...`);
      const verification = await verifyJobs(run.ids!, figures.statusCodes['202'] ?? 0);
      log(`checked ${fmt(verification.checked)}: ${JSON.stringify(verification.statuses)}, missing ${verification.missing} (queued without a job ${verification.withoutJob}), malformed ${verification.malformed}`);
      let drain: Drain | undefined;
      if (withDrain) {
        log(`waiting for the queue to drain (at most ${drainCap} s)...`);
        drain = await drainQueue(`http://127.0.0.1:${port}`, drainCap);
        log(`drain: ${fmt(drain.analysed)} analysed in ${drain.seconds.toFixed(1)} s = ${fmt(drain.perSecond, 1)}/s${drain.finished ? '' : ` (stopped at the cap, ${fmt(drain.left)} left)`}`);
      }
      const target = { name: 'service', label: `service (npm start: ${processes})`, figures, cpu: run.cpu, acceptQueue: run.acceptQueue };
      return { target, verification, drain };
    } finally {
      await service.stop();
      await fakeGroq?.stop();
      await flushDatabase(DATABASE);
    }
  };

  const idle = await backgroundLoad();
  let processes = '';
  const measured: Round[] = [];
  for (let round = 1; round <= rounds && !wasInterrupted(); round += 1) {
    log(`round ${round} of ${rounds}`);
    const baseline = values['skip-baseline'] ? undefined : await measureBaseline();
    const service = await measureService(values.drain === true && round === rounds);
    measured.push({ baseline, ...service });
  }

  if (measured.length === 0) throw new Error('stopped before a round was complete');
  const ratios = measured.flatMap(({ baseline, target }) => (baseline ? [target.figures.okPerSecond / baseline.figures.okPerSecond] : []));
  const ratio = median(ratios);
  const verification = totalVerification(measured.map((round) => round.verification));
  const drain = measured[measured.length - 1].drain;
  const rows = measured.flatMap((round, index) => [round.baseline, round.target].flatMap((target) => (target ? [row(target, rounds > 1 ? `${index + 1}` : '')] : [])));
  const medianRows =
    rounds > 1
      ? (['baseline', 'service'] as const).flatMap((name) => {
          const targets = measured.flatMap((round) => (name === 'baseline' ? (round.baseline ? [round.baseline] : []) : [round.target]));
          return targets.length > 0 ? [medianRow(targets)] : [];
        })
      : [];
  const lines = [
    `Command: \`${command}\` — ${rounds} round${rounds > 1 ? 's' : ''} of baseline then service, each started afresh; ${fmt(connections)} connections${thinkTimeText}, ${duration} s per target (after a ${warmup} s warm-up at ≤100 connections),`,
    `${client.description}, pipelining 1, request timeout ${timeout} s; ${fds.text}. Load generator, servers and Redis on the same machine, over 127.0.0.1;`,
    `${idle.toFixed(2)} cores busy with other work just before the run.`,
    'Each request: POST /analyze with a distinct ~800-character text of random words. Redis database 14, flushed before each target.',
    `Baseline: bench/bare-baseline.server.ts, with the V8 flags npm start gives the service's processes (${SERVICE_NODE_FLAGS.join(' ')}).`,
    `Service (${revision}): \`node scripts/start.js\` with ${values.analyser === 'groq' ? `the groq adapter against the fake Groq server at ${values['groq-latency-ms']} ms (the workers wait on the LLM, as in production)` : 'LLM_PROVIDER=offline (the worker analyses on this machine\'s CPU during the load)'}, LOG_LEVEL=warn, THROTTLE_LIMIT = THROTTLE_STATUS_LIMIT = 100,000,000, MAX_QUEUE_SIZE = 10,000,000 (its maximum).${passedThroughSettings()}`,
    '',
    '| round | target | accepted/s (2xx) | answers/s | p50 ms | p90 ms | p99 ms | status codes | socket errors | timeouts | accept queue |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...medianRows,
    '',
    ratios.length > 0
      ? `Service ÷ baseline, accepted/s: **${ratio.toFixed(2)}**${ratios.length > 1 ? ` (median of the rounds: ${ratios.map((value) => value.toFixed(2)).join(', ')})` : ''}.`
      : 'Baseline skipped (--skip-baseline): no ratio.',
    ...(thinkMs ? [offeredLoadNote(connections, thinkMs)] : []),
    `Every 202 has its record, and a request still queued a job carrying it: ${fmt(verification.checked)} request ids checked (${describeCodes(verification.statuses)}), **${fmt(verification.missing)} missing**` +
      (verification.malformed ? `, ${verification.malformed} unreadable ids` : '') +
      (verification.unread ? `, ${fmt(verification.unread)} of them answers 202 whose id was never read` : '') +
      (verification.withoutJob ? `, ${fmt(verification.withoutJob)} of them queued without a job` : '') +
      '.',
    drain
      ? `Drain after the load (${processes}, ${values.analyser === 'groq' ? `fake Groq at ${values['groq-latency-ms']} ms` : 'offline analyser'}): ${fmt(drain.analysed)} analyses in ${drain.seconds.toFixed(0)} s = **${fmt(drain.perSecond, 1)} analyses/s**` +
        ` (${fmt(drain.failed)} ended in error)` +
        (drain.finished ? '; queue empty.' : ` — stopped at the ${drainCap} s cap with ${fmt(drain.left)} jobs left.`)
      : 'Drain not measured: `npm run bench -- --drain` measures it, in a section of its own.',
    '',
    'CPU during each measured run, in cores (from /proc):',
    ...measured.flatMap((round, index) =>
      [round.baseline, round.target].flatMap((target) => (target ? [`- ${rounds > 1 ? `round ${index + 1}, ` : ''}${target.name}: ${describeCpu(target.cpu)}; ${serverMicroseconds(target)}`] : [])),
    ),
    '',
    `${client.describeCounting(timeout)} Socket errors do not include timeouts. ${timeoutNote(connections, timeout, ratios.length > 0)} ${ACCEPT_QUEUE_NOTE}`,
  ];
  // A run with think time answers another question than the closed loop's, and one with --drain a further one:
  // each keeps its own section, which a plain run does not replace (both at once is only printed).
  const section = thinkMs
    ? { name: 'bench:http-think-time', script: `bench -- --think-time ${thinkMs.min / 1000}-${thinkMs.max / 1000}`, option: 'think-time' }
    : values.drain
      ? { name: 'bench:http-drain', script: 'bench -- --drain', option: 'drain' }
      : { name: 'bench:http', script: 'bench' };
  const figures = {
    command,
    service: revision,
    settings: passedThroughSettings().trim() || undefined,
    connections,
    think_ms: thinkMs,
    duration_s: duration,
    load_client: { name: client.name, version: client.version, threads: client.threads },
    ulimit_n: { soft: fds.soft, hard: fds.hard },
    background_cores_busy: round(idle, 2),
    rounds: measured.map(({ baseline, target }) =>
      Object.fromEntries([baseline, target].flatMap((measuredTarget) => (measuredTarget ? [[measuredTarget.name, { accepted_per_s: round(measuredTarget.figures.okPerSecond), ...runJson(measuredTarget) }]] : []))),
    ),
    service_over_baseline: { median: round(ratio, 3), rounds: ratios.map((value) => round(value, 3)) },
    jobs: { checked: verification.checked, missing: verification.missing, queued_without_job: verification.withoutJob, statuses: verification.statuses },
    drain: drain && { analyses: drain.analysed, failed: drain.failed, seconds: round(drain.seconds), per_s: round(drain.perSecond), finished: drain.finished },
  };
  publishReport(section.name, section.script, lines.join('\n'), figures, nonDefaultOptions(options, values, section.option ? [section.option] : []));
}

runBench(main);
