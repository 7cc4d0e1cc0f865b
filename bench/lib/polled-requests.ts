/** The service as the polling benches poll it, with requests of both kinds to poll. */
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleAbstract } from '../../test/support/sample-papers';
import { log } from './log';
import { requestStatuses } from './redis';
import { fmt } from './report';
import { ServerProcess, serviceEnvironment, startService } from './servers';

export interface PolledService {
  service: ServerProcess;
  finished: string[];
  pending: string[];
  /** What the read model held for the pending ids once submitted: all queued. */
  pendingStatuses: Record<string, number>;
  /** Seconds from the last submission until every finished id was done. */
  doneSeconds: number;
}

/** Submits `count` distinct abstracts (numbers first…first+count-1), `concurrency` at a time; returns the 202 ids. */
async function submit(baseUrl: string, first: number, count: number, concurrency = 50): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const submitOne = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const response = await fetch(`${baseUrl}/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Benchmark paper ${first + n}`, abstract: sampleAbstract(first + n) }),
      });
      const body = (await response.json()) as { request_id?: string };
      if (response.status !== 202 || !body.request_id) throw new Error(`POST /analyze answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      ids.push(body.request_id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, submitOne));
  return ids;
}

async function waitUntilDone(database: 14 | 15, ids: string[], timeoutMs: number): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    const counts = await requestStatuses(database, ids);
    if ((counts.done ?? 0) === ids.length) return (Date.now() - startedAt) / 1000;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`not all done after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(500);
  }
}

/**
 * `count` distinct abstracts analysed to done by the service with its workers; then the service started
 * again with WORKER_CONCURRENCY=0 (and `overrides`), and `count` more submitted to it, which stay queued.
 * That second service is returned running, for the caller to poll and stop.
 */
export async function serviceWithPolledRequests(port: number, database: 14 | 15, count: number, overrides: Record<string, string> = {}): Promise<PolledService> {
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`phase 1: ${fmt(count)} distinct abstracts analysed to done (service with its workers)`);
  let service = await startService(port, serviceEnvironment(port, database));
  let finished: string[];
  let doneSeconds: number;
  try {
    finished = await submit(baseUrl, 100_000, count);
    doneSeconds = await waitUntilDone(database, finished, 10 * 60_000);
    log(`${fmt(finished.length)} done ${doneSeconds.toFixed(1)} s after the last submission`);
  } finally {
    await service.stop();
  }

  log(`phase 2: ${fmt(count)} pending requests (service with WORKER_CONCURRENCY=0)`);
  service = await startService(port, serviceEnvironment(port, database, { ...overrides, WORKER_CONCURRENCY: '0' }));
  try {
    const pending = await submit(baseUrl, 200_000, count);
    const pendingStatuses = await requestStatuses(database, pending);
    log(`pending: ${JSON.stringify(pendingStatuses)}`);
    return { service, finished, pending, pendingStatuses, doneSeconds };
  } catch (error) {
    await service.stop();
    throw error;
  }
}
