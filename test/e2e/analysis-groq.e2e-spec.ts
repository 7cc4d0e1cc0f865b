import { FakeGroqServer } from '../fakes/fake-groq-server';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { RunningApp, startAppWithFakeGroq } from '../support/test-app';

const DATABASE = 3;

/** One `all` process whose groq adapter talks to the fake Groq server through the real groq-sdk. */
describe('analysis with the groq adapter', () => {
  const groq = new FakeGroqServer();
  let service: RunningApp;
  let abstractNumber = 100;
  const nextAbstract = () => sampleAbstract(abstractNumber++);

  const submitAndWait = async (payload: object) => {
    const accepted = await postJson(service.baseUrl, '/analyze', payload);
    expect(accepted.status).toBe(202);
    return (await pollUntilFinished(service.baseUrl, accepted.body.request_id)).body;
  };

  beforeAll(async () => {
    service = await startAppWithFakeGroq(DATABASE, groq, { LLM_RETRY_DELAY_MS: '50', LLM_TIMEOUT_MS: '2000' });
  });
  afterAll(() => service.close());
  beforeEach(() => groq.reset());

  it('analyses a paper through Groq and reports the model', async () => {
    const status = await submitAndWait({ title: 'Contrastive pre-training', abstract: nextAbstract() });
    expect(status).toMatchObject({ status: 'done', attempts: 1 });
    expect(status.result).toMatchObject({ provider: 'groq', model: 'openai/gpt-oss-120b', title: 'Contrastive pre-training' });
    expect(status.result.summary.length).toBeGreaterThan(20);
    expect(groq.stats().calls).toBe(1);
  });

  it('answers a repeated paper from the cache without calling the LLM', async () => {
    const abstract = nextAbstract();
    await submitAndWait({ abstract });
    const callsBefore = groq.stats().calls;
    const again = await postJson(service.baseUrl, '/analyze', { abstract });
    expect(again.body).toMatchObject({ status: 'done', cached: true, result: { provider: 'groq' } });
    expect(groq.stats().calls).toBe(callsBefore);
  });

  it('analyses identical papers submitted together once', async () => {
    const abstract = nextAbstract();
    const accepted = await Promise.all(Array.from({ length: 6 }, () => postJson(service.baseUrl, '/analyze', { abstract })));
    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(service.baseUrl, answer.body.request_id)));
    expect(finished.map((answer) => answer.body.status)).toEqual(Array(6).fill('done'));
    expect(groq.stats().calls).toBe(1);
    expect(groq.stats().call_log[0].papers).toBe(1);
  });

  it('packs distinct papers submitted together into batches of BATCH_SIZE', async () => {
    const accepted = await Promise.all(Array.from({ length: 16 }, () => postJson(service.baseUrl, '/analyze', { abstract: nextAbstract() })));
    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(service.baseUrl, answer.body.request_id)));
    expect(finished.every((answer) => answer.body.status === 'done')).toBe(true);
    const { calls, call_log: log } = groq.stats();
    expect(calls).toBeLessThanOrEqual(3);
    expect(Math.max(...log.map((call) => call.papers))).toBe(8);

    const { body: status } = await request(service.baseUrl, '/status');
    expect(status.llm.papers).toBeGreaterThanOrEqual(16);
    expect(status.llm.papers_per_call).toBeGreaterThan(1);
    expect(status.llm.average_call_ms).toBeGreaterThan(0);
    expect(status.llm.prompt_tokens).toBeGreaterThan(status.llm.calls * 100);
  });

  it('retries a call that failed with a server error, and the request still completes', async () => {
    groq.queueFaults(['server_error']);
    const status = await submitAndWait({ abstract: nextAbstract() });
    expect(status).toMatchObject({ status: 'done', attempts: 2 });
    expect(groq.stats()).toMatchObject({ calls: 2, faults: 1 });
  });

  it('gives up on an answer whose body stalls after LLM_TIMEOUT_MS, and the retry completes the request', async () => {
    groq.queueFaults(['stalled_body']);
    const status = await submitAndWait({ abstract: nextAbstract() });
    expect(status).toMatchObject({ status: 'done', attempts: 2 });
    expect(groq.stats().call_log.map((call) => call.fault)).toEqual(['stalled_body', undefined]);
    expect(groq.openHeldRequests()).toBe(0);
  });

  it('waits out the Retry-After of a 429 before the next attempt, and the request still completes', async () => {
    groq.configure({ retryAfterSeconds: 2 });
    groq.queueFaults(['rate_limited']);
    const status = await submitAndWait({ abstract: nextAbstract() });
    expect(status).toMatchObject({ status: 'done', attempts: 2 });
    const [limited, answered] = groq.stats().call_log;
    expect(limited.status).toBe(429);
    expect(answered.at - limited.at).toBeGreaterThanOrEqual(2_000);
  });

  it('ends in error with a message a user can act on when every attempt fails', async () => {
    groq.queueFaults(['unavailable', 'unavailable', 'unavailable']);
    const status = await submitAndWait({ abstract: nextAbstract() });
    expect(status).toMatchObject({ status: 'error', attempts: 3 });
    expect(status.error).toMatch(/LLM provider stayed unavailable after 3 attempts \(Groq answered 503\); submit the paper again later/);
    expect(status.result).toBeUndefined();
    expect(groq.stats().calls).toBe(3);

    const { body: stats } = await request(service.baseUrl, '/status');
    expect(stats.analyses.failed).toBe(1);
    expect(stats.llm.failed_calls).toBeGreaterThanOrEqual(3);
  });
});

/** The reasoning effort the adapter asks for must be one the model takes: the fake Groq refuses others, as Groq does. */
describe('analysis with the groq adapter and a qwen3 model', () => {
  const groq = new FakeGroqServer();
  let service: RunningApp;

  beforeAll(async () => {
    service = await startAppWithFakeGroq(DATABASE, groq, { GROQ_MODEL: 'qwen/qwen3-32b' });
  });
  afterAll(() => service.close());

  it('analyses a paper', async () => {
    const accepted = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(190) });
    const status = (await pollUntilFinished(service.baseUrl, accepted.body.request_id)).body;
    expect(status).toMatchObject({ status: 'done', attempts: 1, result: { provider: 'groq', model: 'qwen/qwen3-32b' } });
  });
});
