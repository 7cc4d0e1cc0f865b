/**
 * One load run against a server under test, with the CPU each process used and the ids it was given, by
 * the load client chosen: wrk when it is installed, autocannon otherwise.
 */
import { AcceptQueue, AcceptQueueSampler } from './accept-queue';
import { autocannonClient } from './autocannon-client';
import { setActiveLoad } from './cleanup';
import { CpuSampler, CpuShare } from './cpu';
import { log } from './log';
import type { ServerProcess } from './servers';
import type { Workload } from './workloads';
import { wrkClient, wrkVersion } from './wrk-client';

/** Latency percentiles and maximum, in ms. */
export interface Latencies {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The latencies are of the answers within the timeout. */
export interface LoadFigures extends Latencies {
  seconds: number;
  okPerSecond: number;
  answersPerSecond: number;
  statusCodes: Record<string, number>;
  /** Socket errors: neither timeouts nor answers with an error status. */
  errors: number;
  timeouts: number;
  /** A paced run's latencies of the requests sent after its first `afterSeconds`, once its connections have opened. */
  settled?: Latencies & { afterSeconds: number };
  /** A paced run's p99 of the requests sent in each second of it, from its first request: how long its opening took to clear. */
  p99BySecond?: number[];
}

/** The request ids of 202 answers the analyze workload collected, 16 bytes each (the UUID without its dashes). */
export interface CollectedIds {
  chunks: Buffer[];
  count: number;
  malformed: number;
}

/** The collected ids as UUID strings, one at a time. */
export function* idsOf(collected: CollectedIds): Generator<string> {
  for (const chunk of collected.chunks) {
    for (let offset = 0; offset < chunk.length; offset += 16) {
      const hex = chunk.toString('hex', offset, offset + 16);
      yield `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}

export interface LoadOptions {
  client: LoadClient;
  /** The server under test: the load goes to its port on 127.0.0.1, and its processes' CPU is accounted. */
  server: ServerProcess;
  /** redis-server, accounted as "redis" when known. */
  redisPid?: number;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Seconds. */
  timeout: number;
  workload: Workload;
}

/** A client's run once started. */
export interface StartedLoad {
  stop(): void;
  /** The run's figures once it ends, and for the analyze workload how to collect the ids it was given. */
  finished: Promise<{ figures: LoadFigures; collectIds?: () => Promise<CollectedIds> }>;
}

export interface LoadClient {
  name: 'wrk' | 'autocannon' | 'h2load';
  version: string;
  /** Threads generating the load. */
  threads: number;
  /** Name, version and threads, for the report. */
  description: string;
  /** What its latencies and timeouts are, for the report. */
  describeCounting(timeoutSeconds: number): string;
  start(options: LoadOptions): StartedLoad;
}

export interface LoadRun {
  figures: LoadFigures;
  cpu: CpuShare;
  /** Undefined when it could not be read. */
  acceptQueue?: AcceptQueue;
  ids?: CollectedIds;
}

/** The options both load benches take to choose their client. */
export const LOAD_CLIENT_OPTIONS = {
  client: { type: 'string' },
  threads: { type: 'string' },
  workers: { type: 'string' },
} as const;

/**
 * `--client wrk|autocannon` (default wrk when it is on PATH), with `--threads N` for wrk (default 2; wrk gives
 * each thread connections ÷ threads, so every connection count the bench uses must be a multiple) or
 * `--workers N` for autocannon (its worker threads, default 0: in this process).
 */
export function chooseClient(values: { client?: string; threads?: string; workers?: string }, connectionCounts: number[]): LoadClient {
  const installedWrk = wrkVersion();
  if (values.client === undefined && !installedWrk) {
    log('wrk not found on PATH (Debian package wrk: apt-get install wrk): using autocannon, which takes more of the machine\'s CPU from the server under test');
  }
  const name = values.client ?? (installedWrk ? 'wrk' : 'autocannon');
  if (name === 'wrk') {
    if (!installedWrk) throw new Error('--client wrk: wrk is not on PATH (Debian package wrk: apt-get install wrk)');
    if (values.workers !== undefined) throw new Error('--workers sets autocannon\'s worker threads; wrk takes --threads');
    const threads = Number(values.threads ?? '2');
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads: a whole number ≥ 1 (${values.threads})`);
    const uneven = connectionCounts.filter((connections) => connections < threads || connections % threads !== 0);
    if (uneven.length > 0) throw new Error(`--threads ${threads}: wrk opens connections ÷ threads per thread; not a multiple: ${uneven.join(', ')} connections`);
    return wrkClient(installedWrk, threads);
  }
  if (name === 'autocannon') {
    if (values.threads !== undefined) throw new Error('--threads sets wrk\'s threads; autocannon takes --workers');
    const workers = Number(values.workers ?? '0');
    if (!Number.isInteger(workers) || workers < 0) throw new Error(`--workers: a whole number ≥ 0 (${values.workers})`);
    return autocannonClient(workers);
  }
  throw new Error(`--client: wrk or autocannon (${name})`);
}

/** Runs the load with the chosen client, accounting the CPU of each process meanwhile. */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const { server, redisPid } = options;
  // Started first, so that the overflows it counts from now include the client's very first connections.
  const acceptQueue = new AcceptQueueSampler(server.port);
  acceptQueue.start();
  const load = options.client.start(options);
  // The client runs in this process (autocannon) or in a child that has ended by the time the sampler stops
  // (wrk), its CPU then counted in this process's.
  const sampler = new CpuSampler(() => ({ client: [process.pid], server: server.tree(), ...(redisPid && { redis: [redisPid] }) }));
  sampler.start();
  setActiveLoad(load);
  const { figures, collectIds } = await load.finished.finally(() => setActiveLoad(undefined));
  const cpu = sampler.stop();
  return { figures, cpu, acceptQueue: acceptQueue.stop(), ids: await collectIds?.() };
}
