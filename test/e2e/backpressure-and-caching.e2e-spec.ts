import { FakeGroqServer } from '../fakes/fake-groq-server';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { emptyDatabase, RunningApp, startApp, startAppWithFakeGroq } from '../support/test-app';

const DATABASE = 6;
const QUEUE_LIMIT = 5;
const MONITOR_REFRESH_WAIT_MS = 400;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API process with a tiny queue limit; a worker process is started part-way through to drain it. */
describe('backpressure and answer caching', () => {
  let api: RunningApp;
  let worker: RunningApp | undefined;
  let abstractNumber = 0;
  const submit = () => postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(abstractNumber++) });

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    api = await startApp(DATABASE, { APP_ROLE: 'api', MAX_QUEUE_SIZE: String(QUEUE_LIMIT) });
  });
  afterAll(async () => {
    await api.close();
    await worker?.close();
  });

  it('answers 429 with Retry-After once MAX_QUEUE_SIZE papers wait, never caches unfinished answers, and recovers as the queue drains', async () => {
    const accepted = [];
    for (let n = 0; n < QUEUE_LIMIT; n += 1) accepted.push(await submit());
    expect(accepted.map((answer) => answer.status)).toEqual(Array(QUEUE_LIMIT).fill(202));
    await wait(MONITOR_REFRESH_WAIT_MS);

    const refused = await submit();
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/the analysis queue is full \(5 papers waiting, limit 5\); try again in 60 s/);
    expect(refused.headers.get('retry-after')).toBe('60');

    const watched = accepted[0].body.status_url;
    for (let n = 0; n < 3; n += 1) {
      const poll = await request(api.baseUrl, watched);
      expect(poll.body.status).toBe('queued');
      expect(poll.headers.get('x-cache')).toBe('MISS');
    }

    worker = await startApp(DATABASE, { APP_ROLE: 'worker', BATCH_TIMEOUT_MS: '20' });
    const finished = await pollUntilFinished(api.baseUrl, accepted[0].body.request_id);
    expect(finished.body.status).toBe('done');
    const again = await request(api.baseUrl, watched);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.body).toEqual(finished.body);
    // A query string names no other answer: it must neither miss the cache nor add an entry to it.
    const withQuery = await request(api.baseUrl, `${watched}?nocache=${Date.now()}`);
    expect(withQuery.headers.get('x-cache')).toBe('HIT');
    expect(withQuery.body).toEqual(finished.body);

    await Promise.all(accepted.map((answer) => pollUntilFinished(api.baseUrl, answer.body.request_id)));
    await wait(MONITOR_REFRESH_WAIT_MS);
    expect((await submit()).status).toBe(202);
  });

  it('serves GET /status from the cache for about a second', async () => {
    const first = await request(api.baseUrl, '/status');
    await submit();
    const cached = await request(api.baseUrl, '/status');
    expect(cached.headers.get('x-cache')).toBe('HIT');
    expect(cached.body.analyses.submitted).toBe(first.body.analyses.submitted);
    const withQuery = await request(api.baseUrl, `/status?nocache=${Date.now()}`);
    expect(withQuery.headers.get('x-cache')).toBe('HIT');
    expect(withQuery.body.analyses.submitted).toBe(first.body.analyses.submitted);
    await wait(1_100);
    const fresh = await request(api.baseUrl, '/status');
    expect(fresh.body.analyses.submitted).toBe(first.body.analyses.submitted + 1);
  });
});

/** A worker analysing one paper per LLM call, each taking half a second, behind an API process with a small queue limit. */
describe('backpressure while a worker drains the queue', () => {
  const QUEUE_LIMIT = 40;
  /** Once full, the guard asks the queue to drain back to this many before clients come back. */
  const RESUME_AT = 0.9 * QUEUE_LIMIT;
  /**
   * The fastest drain the API can measure from this worker: 8 papers a second (MAX_INFLIGHT 4 calls, half a second
   * each, one paper per call), and up to half as much again over the few seconds measured, from calls ending at their edges.
   */
  const FASTEST_MEASURED_DRAIN = 12;
  const WARM_UP_PAPERS = 10;
  const MAX_SUBMISSIONS = 500;
  let worker: RunningApp;
  let api: RunningApp;
  let abstractNumber = 1_000;
  const submit = () => postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(abstractNumber++) });

  beforeAll(async () => {
    worker = await startAppWithFakeGroq(DATABASE, new FakeGroqServer({ latencyMs: 500 }), { APP_ROLE: 'worker', BATCH_SIZE: '1', BATCH_TIMEOUT_MS: '10' });
    api = await startApp(DATABASE, { APP_ROLE: 'api', MAX_QUEUE_SIZE: String(QUEUE_LIMIT) });
  });
  afterAll(async () => {
    await api.close();
    await worker.close();
  });

  it('suggests a Retry-After from the rate the queue drains at, and lets submissions in again before it is empty', async () => {
    // Analyses finished lately are what the drain rate is measured from.
    const warmUp = await Promise.all(Array.from({ length: WARM_UP_PAPERS }, () => submit()));
    await Promise.all(warmUp.map((answer) => pollUntilFinished(api.baseUrl, answer.body.request_id)));

    const accepted: string[] = [];
    let refused: Awaited<ReturnType<typeof submit>> | undefined;
    while (!refused && accepted.length < MAX_SUBMISSIONS) {
      const answer = await submit();
      if (answer.status === 202) accepted.push(answer.body.request_id);
      else refused = answer;
    }
    const refusedAt = Date.now();
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(refused!.body.message).toContain(`try again in ${retryAfter} s`);
    const waiting = Number(new RegExp(`\\((\\d+) papers waiting, limit ${QUEUE_LIMIT}\\)`).exec(refused!.body.message)?.[1]);
    // The time to drain back to RESUME_AT: no sooner than at the fastest this worker can be measured at; and,
    // with at least the warm-up's papers finished within the rate's 10 s window, no later than at one a second
    // (60 s is what the guard says while nothing drains).
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, Math.floor((waiting - RESUME_AT) / FASTEST_MEASURED_DRAIN)));
    expect(retryAfter).toBeLessThanOrEqual(Math.max(1, Math.ceil(waiting - RESUME_AT)));

    let again = await submit();
    while (again.status === 429 && Date.now() - refusedAt < (retryAfter + 1) * 1000) {
      await wait(100);
      again = await submit();
    }
    expect(again.status).toBe(202);
    // Let in as the queue drains, not once it is empty: the last papers accepted before the refusal still wait.
    const lastAccepted = await request(api.baseUrl, `/status/${accepted[accepted.length - 1]}`);
    expect(lastAccepted.body.status).toBe('queued');
  });
});
