/**
 * npm run bench:floor — what a poll costs the service next to what the frameworks under it cost alone:
 * CPU per answer of GET /status/:id, measured on one process of each, side by side in each round.
 *
 *   npm run bench:floor -- [--rounds 3] [--duration 10] [--connections 1000] [--warmup 3] [--ids 200] [--port 18400]
 *                          [--client wrk|autocannon] [--threads 1] [--workers 0]
 *
 * 1. The service as `npm start` runs it: `ids` abstracts analysed to done, then, started again with one api
 *    process and no worker (WEB_CONCURRENCY=1, WORKER_CONCURRENCY=0), `ids` more that stay queued
 *    (bench/lib/polled-requests.ts).
 * 2. bench/poll-floor.server.ts twice, answering every GET /status/:id with the JSON the service gives for a
 *    finished request: on plain Fastify, and on Nest's Fastify adapter with one plain controller.
 * 3. In each round, `duration` s of polls at `connections` connections against each of four targets in turn:
 *    Fastify, Nest, the service polled for finished requests (answered from its in-process cache after
 *    ThrottlerGuard) and for queued ones (read from Redis through the QueryBus). Each target's process (the
 *    service's supervisor and api process) is charged its CPU from /proc, and Redis its own.
 * The load client takes one core at most (wrk, 1 thread by default), so each server has one to itself.
 * Figures go to stdout, docs/benchmarks.md (bench:floor) and docs/benchmarks.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runBench } from './lib/cleanup';
import { CpuShare, backgroundLoad, describeCpu, serverCores } from './lib/cpu';
import { ensureFdLimit } from './lib/fd-limit';
import { LOAD_CLIENT_OPTIONS, LoadFigures, chooseClient, runLoad } from './lib/load';
import { log } from './lib/log';
import { serviceWithPolledRequests } from './lib/polled-requests';
import { assertRedisAnswers, flushDatabase, redisServerPid } from './lib/redis';
import { commandLine, describeCodes, fmt, median, nonDefaultOptions, publishReport, round, runJson, serviceRevision } from './lib/report';
import { ServerProcess, passedThroughSettings, startPollFloor } from './lib/servers';
import { StatusWorkload, statusWorkload } from './lib/workloads';

const DATABASE = 15;

interface Target {
  label: string;
  server: ServerProcess;
  workload: StatusWorkload;
}

interface Run {
  round: number;
  target: Target;
  figures: LoadFigures;
  cpu: CpuShare;
}

/** Microseconds of the server's CPU (its processes') or Redis's per answer. */
const microsecondsPerAnswer = (run: Run, of: 'server' | 'redis') =>
  ((of === 'server' ? serverCores(run.cpu) : (run.cpu.usage.redis ?? Number.NaN)) * 1e6) / run.figures.answersPerSecond;

/** What the service answers a poll of a finished request: the body the floor servers give every poll. */
async function finishedAnswer(port: number, requestId: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/status/${requestId}`);
  const body = (await response.json()) as { status?: string };
  if (response.status !== 200 || body.status !== 'done') throw new Error(`GET /status/${requestId} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function main(): Promise<void> {
  const options = {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '3' },
    ids: { type: 'string', default: '200' },
    port: { type: 'string', default: '18400' },
    timeout: { type: 'string', default: '10' },
    ...LOAD_CLIENT_OPTIONS,
  } as const;
  const { values } = parseArgs({ options });
  const [rounds, duration, connections, warmup, count, port, timeout] = [values.rounds, values.duration, values.connections, values.warmup, values.ids, values.port, values.timeout].map(Number);
  if (![rounds, duration, connections, count, port, timeout].every((value) => Number.isInteger(value) && value >= 1) || !(Number.isInteger(warmup) && warmup >= 0)) {
    throw new Error('--rounds, --duration, --connections, --ids, --port and --timeout take whole numbers ≥ 1, --warmup ≥ 0');
  }
  const client = chooseClient({ ...values, threads: values.threads ?? (values.client === 'autocannon' ? undefined : '1') }, [connections]);
  const command = commandLine('bench:floor');
  const revision = serviceRevision();
  const fds = ensureFdLimit(connections);
  await assertRedisAnswers();
  const redisPid = await redisServerPid();
  await flushDatabase(DATABASE);

  const answerDirectory = mkdtempSync(join(tmpdir(), 'rpa-floor-'));
  const runs: Run[] = [];
  const idle: number[] = [];
  let targets: Target[] = [];
  try {
    const { service, finished, pending } = await serviceWithPolledRequests(port, DATABASE, count, { WEB_CONCURRENCY: '1' });
    const floors: ServerProcess[] = [];
    try {
      const answerFile = join(answerDirectory, 'answer.json');
      writeFileSync(answerFile, JSON.stringify(await finishedAnswer(port, finished[0])));
      floors.push(await startPollFloor('fastify', port + 1, answerFile));
      floors.push(await startPollFloor('nest', port + 2, answerFile));
      const finishedPolls = statusWorkload(finished, [], 1);
      targets = [
        { label: 'Fastify, one plain route', server: floors[0], workload: finishedPolls },
        { label: 'Nest on Fastify, one plain controller', server: floors[1], workload: finishedPolls },
        { label: 'service, finished requests', server: service, workload: finishedPolls },
        { label: 'service, queued requests', server: service, workload: statusWorkload([], pending, 0) },
      ];
      for (const target of warmup > 0 ? targets : []) {
        log(`${target.label}: warming up for ${warmup} s`);
        await runLoad({ client, server: target.server, redisPid, connections, duration: warmup, timeout, workload: target.workload });
      }
      for (let round = 1; round <= rounds; round += 1) {
        for (const target of targets) {
          await sleep(1_000);
          idle.push(await backgroundLoad());
          log(`round ${round} of ${rounds}: ${target.label}, ${fmt(connections)} connections for ${duration} s...`);
          const { figures, cpu } = await runLoad({ client, server: target.server, redisPid, connections, duration, timeout, workload: target.workload });
          const run = { round, target, figures, cpu };
          runs.push(run);
          log(`${fmt(figures.answersPerSecond)} answers/s, ${fmt(microsecondsPerAnswer(run, 'server'), 1)} µs of server CPU per answer; CPU ${describeCpu(cpu)}`);
        }
      }
    } finally {
      for (const server of [...floors, service]) await server.stop();
    }
  } finally {
    rmSync(answerDirectory, { recursive: true, force: true });
    await flushDatabase(DATABASE);
  }

  const medianOf = (target: Target, pick: (run: Run) => number) => median(runs.filter((run) => run.target === target).map(pick));
  const serverMicroseconds = targets.map((target) => medianOf(target, (run) => microsecondsPerAnswer(run, 'server')));
  const step = (to: number, what: string) => `${what}: ${fmt(serverMicroseconds[to] - serverMicroseconds[to - 1], 1)} µs`;
  const steps = [
    step(1, "Nest's adapter and router over plain Fastify"),
    step(2, 'the service over Nest, for a finished request (admission, ThrottlerGuard with its Redis count, CacheInterceptor and the reply headers)'),
    step(3, 'a queued request over a finished one (the cache miss, the pipes and handler, the QueryBus and the Redis read)'),
  ];
  const body = [
    `Command: \`${command}\` — GET /status/:id at ${fmt(connections)} connections, ${duration} s per target, ${rounds} round${rounds > 1 ? 's' : ''} of the four targets in turn`,
    `after a ${warmup} s warm-up of each, ${client.description}, pipelining 1; ${fds.text}; everything on the same machine over 127.0.0.1;`,
    `cores busy with other work just before each run: ${idle.map((cores) => cores.toFixed(2)).join(', ')}.`,
    `Service (${revision}): \`node scripts/start.js\` with WEB_CONCURRENCY=1 and WORKER_CONCURRENCY=0, LLM_PROVIDER=offline, LOG_LEVEL=warn,`,
    `THROTTLE_STATUS_LIMIT = 100,000,000; ${fmt(count)} finished and ${fmt(count)} queued request ids, each GET picking one of its kind at random; Redis database 15.${passedThroughSettings()}`,
    'Fastify and Nest: bench/poll-floor.server.ts, one process each, answering every id with the JSON the service gives for a finished request.',
    '',
    '| round | target | answers/s | µs of server CPU per answer | µs of Redis CPU per answer | p50 ms | p99 ms | status codes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      (run) =>
        `| ${run.round} | ${run.target.label} | ${fmt(run.figures.answersPerSecond)} | **${fmt(microsecondsPerAnswer(run, 'server'), 1)}** | ${fmt(microsecondsPerAnswer(run, 'redis'), 1)} | ` +
        `${fmt(run.figures.p50)} | ${fmt(run.figures.p99)} | ${describeCodes(run.figures.statusCodes)} |`,
    ),
    ...(rounds > 1
      ? targets.map(
          (target, index) =>
            `| median | ${target.label} | ${fmt(medianOf(target, (run) => run.figures.answersPerSecond))} | **${fmt(serverMicroseconds[index], 1)}** | ` +
            `${fmt(medianOf(target, (run) => microsecondsPerAnswer(run, 'redis')), 1)} | ${fmt(medianOf(target, (run) => run.figures.p50))} | ${fmt(medianOf(target, (run) => run.figures.p99))} | |`,
        )
      : []),
    '',
    `Steps, from the medians of server CPU per answer: ${steps.join('; ')}.`,
    'A step is only as sure as the rounds\' spread around it: one below zero says the two cost the same within it. The floor servers are the',
    'frameworks alone, not a lower bound: the service\'s admission line also changes how a saturated process reads its connections.',
    'The server CPU includes the kernel\'s work of sending each answer over loopback, much of it the receiving side\'s, which no server can avoid.',
    '',
    'CPU during each run, in cores (from /proc):',
    ...runs.map((run) => `- round ${run.round}, ${run.target.label}: ${describeCpu(run.cpu)}`),
  ].join('\n');
  const figures = {
    command,
    service: revision,
    connections,
    duration_s: duration,
    warmup_s: warmup,
    load_client: { name: client.name, version: client.version, threads: client.threads },
    background_cores_busy: idle.map((cores) => round(cores, 2)),
    median_server_us_per_answer: Object.fromEntries(targets.map((target, index) => [target.label, round(serverMicroseconds[index], 1)])),
    runs: runs.map((run) => ({
      round: run.round,
      target: run.target.label,
      server_us_per_answer: round(microsecondsPerAnswer(run, 'server'), 1),
      redis_us_per_answer: round(microsecondsPerAnswer(run, 'redis'), 1),
      ...runJson(run),
    })),
  };
  publishReport('bench:floor', 'bench:floor', body, figures, nonDefaultOptions(options, values));
}

runBench(main);
