import { setTimeout as sleep } from 'node:timers/promises';
import { FakeGroqServer } from '../fakes/fake-groq-server';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase, RunningApp, startApp } from '../support/test-app';

const DATABASE = 12;
const WORKERS = 3;
const COPIES = 12;

/** Identical papers reaching different worker processes at once cost one LLM call between them. */
describe('single flight across worker processes', () => {
  const groq = new FakeGroqServer({ latencyMs: 700 });
  const workers: ServiceProcess[] = [];
  let api: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    const { baseUrl: groqUrl } = await groq.start();
    const environment = {
      REDIS_URL: redisUrlForDatabase(DATABASE),
      GROQ_API_KEY: 'gsk_test_key',
      GROQ_BASE_URL: groqUrl,
      BATCH_TIMEOUT_MS: '30',
      LLM_RPM: '10000',
      LLM_TPM: '10000000',
      LLM_RPD: '1000000',
    };
    for (let index = 0; index < WORKERS; index++) workers.push(spawnMain({ ...environment, APP_ROLE: 'worker' }));
    await Promise.all(workers.map((worker) => waitForOutput(worker, /Worker started/)));
    api = await startApp(DATABASE, { APP_ROLE: 'api', GROQ_API_KEY: 'gsk_test_key', GROQ_BASE_URL: groqUrl });
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    await groq.stop();
  });

  it('analyses a paper submitted many times at once with one call, and every request gets the result', async () => {
    const paper = { title: 'One paper, many requests', abstract: sampleAbstract(501) };
    // One by one, so that each copy is a job of its own (a submission window is 2 ms) and the workers,
    // each waiting on the queue in turn, take different copies while the first call is held.
    const accepted = [];
    for (let copy = 0; copy < COPIES; copy += 1) {
      accepted.push(await postJson(api.baseUrl, '/analyze', paper));
      await sleep(10);
    }
    expect(accepted.map((answer) => answer.status)).toEqual(Array(COPIES).fill(202));

    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(api.baseUrl, answer.body.request_id)));
    expect(finished.map((answer) => answer.body.status)).toEqual(Array(COPIES).fill('done'));
    expect(new Set(finished.map((answer) => JSON.stringify(answer.body.result))).size).toBe(1);

    expect(groq.stats().call_log.filter((call) => call.status === 200)).toEqual([expect.objectContaining({ papers: 1 })]);
    // Copies taken by the other workers waited for the holder's result: the claim in Redis, not a worker's own memory, saved those calls.
    const { body: status } = await request(api.baseUrl, '/status');
    expect(status.llm.shared_papers).toBeGreaterThanOrEqual(1);
  });
});
