import { setTimeout as sleep } from 'node:timers/promises';
import { FakeGroqServer } from '../fakes/fake-groq-server';
import { CallLogEntry } from '../fakes/fake-groq-stats';
import { eventually } from '../support/eventually';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase } from '../support/test-app';

const DATABASE = 8;
const API_PORT = 18621;
const GROQ_PORT = 18622;
const API_URL = `http://127.0.0.1:${API_PORT}`;
const MINUTE_MS = 60_000;

/** The most calls that arrived within any 60 s. */
function busiestMinute(log: readonly CallLogEntry[]): number {
  const times = log.map((call) => call.at).sort((a, b) => a - b);
  let busiest = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= MINUTE_MS) first++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

/** Worker processes of `node dist/main.js` sharing the key's limits through Redis, against the fake Groq server's limits. */
describe('LLM rate limits shared by worker processes', () => {
  const groq = new FakeGroqServer({ port: GROQ_PORT, latencyMs: 100 });
  const processes: ServiceProcess[] = [];
  let nextAbstract = 1_000;

  /** An API process and two workers, with `environment` on top of the defaults. */
  const startService = async (environment: Record<string, string>) => {
    const shared = {
      REDIS_URL: redisUrlForDatabase(DATABASE),
      LOG_LEVEL: 'info',
      GROQ_API_KEY: 'gsk_test_key',
      GROQ_BASE_URL: `http://127.0.0.1:${GROQ_PORT}`,
      BATCH_SIZE: '1',
      BATCH_TIMEOUT_MS: '10',
      LLM_RETRY_DELAY_MS: '50',
      LLM_TPM: '100000000',
      // Every request is polled until done, for over a minute.
      THROTTLE_STATUS_LIMIT: '1000000',
      ...environment,
    };
    const api = spawnMain({ ...shared, APP_ROLE: 'api', PORT: String(API_PORT), HOST: '127.0.0.1' });
    const workers = [spawnMain({ ...shared, APP_ROLE: 'worker' }), spawnMain({ ...shared, APP_ROLE: 'worker' })];
    processes.push(api, ...workers);
    await Promise.all([waitForOutput(api, /Listening on/), ...workers.map((worker) => waitForOutput(worker, /Worker started/))]);
  };
  /**
   * One by one, so that each request is a job of its own (a submission window is 2 ms): the two workers,
   * each waiting on the queue in turn, then take them alternately, and a limit kept by one process alone
   * would let through twice what the key allows.
   */
  const submit = async (count: number) => {
    const accepted = [];
    for (let n = 0; n < count; n += 1) {
      accepted.push(await postJson(API_URL, '/analyze', { abstract: sampleAbstract(nextAbstract++) }));
      await sleep(10);
    }
    return accepted;
  };
  const finish = (accepted: Awaited<ReturnType<typeof submit>>, timeoutMs: number) =>
    Promise.all(accepted.map((answer) => pollUntilFinished(API_URL, answer.body.request_id, timeoutMs)));

  beforeAll(() => groq.start());
  beforeEach(async () => {
    await emptyDatabase(DATABASE);
    groq.reset();
  });
  afterEach(() => Promise.all(processes.splice(0).map((service) => service.stop())));
  afterAll(() => groq.stop());

  it('never sends more than LLM_RPM calls in any minute from two workers together, and receives no 429', async () => {
    groq.configure({ rpm: 20 });
    await startService({ LLM_RPM: '20' });

    const accepted = await submit(25);
    const finished = await finish(accepted, 90_000);

    expect(finished.map((answer) => answer.body.status)).toEqual(Array(25).fill('done'));
    const { call_log: log, rate_limited: rateLimited } = groq.stats();
    expect(rateLimited).toBe(0);
    expect(log).toHaveLength(25);
    expect(busiestMinute(log)).toBe(20);
    const [first, twentyFirst] = [log[0].at, log[20].at];
    expect(twentyFirst - first).toBeGreaterThanOrEqual(MINUTE_MS);
    expect(twentyFirst - first).toBeLessThan(MINUTE_MS + 2_500);

    const { body: status } = await request(API_URL, '/status');
    expect(status.llm).toMatchObject({ calls: 25, rate_limited_calls: 0 });
    // The five calls over the limit waited in the limiter, each for much of a minute (how much depends on when it was asked).
    expect(status.llm.rate_limit_wait_ms).toBeGreaterThan(5 * 30_000);
  }, 120_000);

  it('pauses every worker for the retry-after of a 429, and the refused request still completes', async () => {
    groq.configure({ rpm: 0, retryAfterSeconds: 2 });
    await startService({ LLM_RPM: '1000' });
    groq.queueFaults(['rate_limited']);

    const [refused] = await submit(1);
    // The service's own count, not the fake's: the fake counts the 429 as it sends it, before the worker has
    // read it and paused the others.
    await eventually(async () => (await request(API_URL, '/status')).body.llm.rate_limited_calls, (calls) => calls > 0, 10_000);
    const later = await submit(4);
    const finished = await finish([refused, ...later], 20_000);

    expect(finished.map((answer) => answer.body.status)).toEqual(Array(5).fill('done'));
    expect(finished[0].body.attempts).toBe(2);
    const [limited, ...others] = groq.stats().call_log;
    expect(limited.status).toBe(429);
    expect(others).toHaveLength(5);
    for (const call of others) expect(call.at - limited.at).toBeGreaterThanOrEqual(2_000);

    const { body: status } = await request(API_URL, '/status');
    expect(status.llm.rate_limited_calls).toBe(1);
  }, 60_000);
});
