/** One autocannon run against a server under test, with the CPU each process used and the ids it was given. */
import { BroadcastChannel } from 'node:worker_threads';
import { setActiveLoad } from './cleanup';
import { CpuSampler, CpuShare } from './cpu';
import { log } from './log';
import type { CollectedIds, HookFiles } from './request-hooks';
import type { ServerProcess } from './servers';

// autocannon has no bundled types: the part of its result the benches read.
interface AutocannonResult {
  duration: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: AutocannonResult) => void) => { stop(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: Autocannon = require('autocannon');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AUTOCANNON_VERSION: string = require('autocannon/package.json').version;

interface LoadOptions {
  /** The server under test: the load goes to its port on 127.0.0.1, and its processes' CPU is accounted. */
  server: ServerProcess;
  /** redis-server, accounted as "redis" when known. */
  redisPid?: number;
  connections: number;
  duration: number;
  /** Worker threads for autocannon; none (this thread) when there would be fewer than two connections per thread. */
  workers: number;
  timeout: number;
  method: 'GET' | 'POST';
  path: string;
  hooks: HookFiles;
  /** A BroadcastChannel name for ids collected in worker threads (analyze hooks only). */
  idChannel?: string;
}

interface LoadRun {
  result: AutocannonResult;
  cpu: CpuShare;
  ids?: CollectedIds;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const threads = options.connections >= 2 * options.workers ? options.workers : 0;
  const inThreads = threads > 0;
  type OnResponseHook = ((status: number, body: string) => void) & { take(): { chunks: Buffer[]; malformed: number } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const onResponse: OnResponseHook | undefined = options.hooks.onResponse ? require(options.hooks.onResponse) : undefined;
  const request: Record<string, unknown> = {
    method: options.method,
    path: options.path,
    // In worker threads autocannon requires the hooks by path; here they are the functions themselves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    setupRequest: inThreads ? options.hooks.setup : require(options.hooks.setup),
    ...(options.hooks.onResponse && { onResponse: inThreads ? options.hooks.onResponse : onResponse }),
  };
  const { server, redisPid } = options;
  const sampler = new CpuSampler(() => ({ client: [process.pid], server: server.tree(), ...(redisPid && { redis: [redisPid] }) }));
  sampler.start();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    setActiveLoad(
      autocannon(
        {
          url: `http://127.0.0.1:${server.port}`,
          connections: options.connections,
          duration: options.duration,
          pipelining: 1,
          timeout: options.timeout,
          ...(inThreads && { workers: threads }),
          method: options.method,
          headers: options.method === 'POST' ? { 'content-type': 'application/json' } : {},
          requests: [request],
        },
        (error, outcome) => (error ? reject(error) : resolve(outcome)),
      ),
    );
  }).finally(() => setActiveLoad(undefined));
  const cpu = sampler.stop();

  let ids: CollectedIds | undefined;
  if (onResponse) {
    const parts: Array<{ chunks: Buffer[]; malformed: number }> = [];
    if (inThreads) parts.push(...(await collectFromThreads(options.idChannel!, threads)));
    else parts.push(onResponse.take());
    const chunks = parts.flatMap((part) => part.chunks.map((chunk) => Buffer.from(chunk)));
    ids = { chunks, count: chunks.reduce((sum, chunk) => sum + chunk.length / 16, 0), malformed: parts.reduce((sum, part) => sum + part.malformed, 0) };
  }
  return { result, cpu, ids };
}

async function collectFromThreads(name: string, threads: number): Promise<Array<{ chunks: Buffer[]; malformed: number }>> {
  const channel = new BroadcastChannel(name);
  const parts: Array<{ chunks: Uint8Array[]; malformed: number }> = [];
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        log(`only ${parts.length} of ${threads} worker threads handed over their ids`);
        resolve();
      }, 10_000);
      channel.onmessage = (event) => {
        parts.push((event as MessageEvent).data);
        if (parts.length === threads) {
          clearTimeout(timer);
          resolve();
        }
      };
      channel.postMessage('flush');
    });
  } finally {
    channel.close();
  }
  return parts.map((part) => ({ chunks: part.chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), malformed: part.malformed }));
}

export interface LoadFigures {
  seconds: number;
  okPerSecond: number;
  answersPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

export function figuresOf({ result }: LoadRun): LoadFigures {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    seconds: result.duration,
    okPerSecond: result['2xx'] / result.duration,
    answersPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCodes,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
  };
}
