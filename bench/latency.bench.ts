/**
 * npm run bench:latency — how long a lone submitted abstract takes from its 202 to done, with the offline
 * analyser and with the groq adapter against the fake Groq server at 300 ms, and how many LLM calls
 * 64 distinct abstracts submitted together cost with BATCH_SIZE=8. Runs `node dist/main.js` as production does.
 */
import Redis from 'ioredis';
import { FakeGroqServer } from '../test/fakes/fake-groq-server';
import { pollUntilFinished, postJson } from '../test/support/http-client';
import { sampleAbstract } from '../test/support/sample-papers';
import { spawnMain, waitForOutput } from '../test/support/service-process';
import { median, percentile, writeReportSection } from './lib/report';
import { unlimitedFakeGroqSettings } from './lib/servers';

const DATABASE = 12;
const PORT = 18900;
const BASE_URL = `http://127.0.0.1:${PORT}`;
const REQUESTS = 20;
const GROQ_LATENCY_MS = 300;

interface Timing {
  clientMs: number;
  serverMs: number;
}

async function runService(environment: Record<string, string>) {
  const redis = new Redis(`redis://127.0.0.1:6379/${DATABASE}`);
  await redis.flushdb();
  await redis.quit();
  const service = spawnMain({ REDIS_URL: `redis://127.0.0.1:6379/${DATABASE}`, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment });
  await waitForOutput(service, /Listening on/).catch(async (error) => {
    await service.stop();
    throw error;
  });
  return service;
}

async function timeLoneRequests(firstAbstract: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (let n = 0; n < REQUESTS; n += 1) {
    const accepted = await postJson(BASE_URL, '/analyze', { abstract: sampleAbstract(firstAbstract + n) });
    const acceptedAt = performance.now();
    const { body } = await pollUntilFinished(BASE_URL, accepted.body.request_id, 30_000);
    timings.push({ clientMs: performance.now() - acceptedAt, serverMs: Date.parse(body.finished_at) - Date.parse(body.submitted_at) });
  }
  return timings;
}

async function callsForDistinctAbstracts(groq: FakeGroqServer, count: number): Promise<{ calls: number; papersPerCall: number[] }> {
  groq.reset();
  const accepted = await Promise.all(Array.from({ length: count }, (_, n) => postJson(BASE_URL, '/analyze', { abstract: sampleAbstract(5_000 + n) })));
  await Promise.all(accepted.map((answer) => pollUntilFinished(BASE_URL, answer.body.request_id, 60_000)));
  const stats = groq.stats();
  return { calls: stats.calls, papersPerCall: stats.call_log.map((call) => call.papers) };
}

const row = (label: string, timings: Timing[]) => {
  const client = timings.map((timing) => timing.clientMs);
  const server = timings.map((timing) => timing.serverMs);
  return `| ${label} | ${median(client).toFixed(0)} | ${percentile(client, 90).toFixed(0)} | ${median(server).toFixed(0)} | ${percentile(server, 90).toFixed(0)} |`;
};

async function main(): Promise<void> {
  const groq = new FakeGroqServer({ latencyMs: GROQ_LATENCY_MS });
  const { baseUrl } = await groq.start();
  try {
    const offlineService = await runService({ LLM_PROVIDER: 'offline' });
    const offline = await timeLoneRequests(1_000).finally(() => offlineService.stop());

    const groqService = await runService({ ...unlimitedFakeGroqSettings(baseUrl), BATCH_SIZE: '8' });
    const groqTimings = await timeLoneRequests(2_000);
    const batching = await callsForDistinctAbstracts(groq, 64).finally(() => groqService.stop());

    const body = [
      `${REQUESTS} distinct ~800-character abstracts submitted one after another to one \`all\` process (BATCH_TIMEOUT_MS=120),`,
      'each polled every 25 ms until done. Client: from the 202 to the poll that saw done; server: finished_at − submitted_at.',
      '',
      '| analyser | client median ms | client p90 ms | server median ms | server p90 ms |',
      '| --- | --- | --- | --- | --- |',
      row('offline (extractive)', offline),
      row(`groq adapter, fake Groq at ${GROQ_LATENCY_MS} ms`, groqTimings),
      '',
      `64 distinct abstracts submitted at once with BATCH_SIZE=8: **${batching.calls} LLM calls** (papers per call: ${batching.papersPerCall.join(', ')}).`,
    ].join('\n');
    process.stdout.write(`${body}\n`);
    writeReportSection('bench:latency', 'npm run bench:latency', body);
  } finally {
    await groq.stop();
  }
}

void main();
