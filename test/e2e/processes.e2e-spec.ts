import { pollUntilFinished, postJson } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForExit, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase } from '../support/test-app';

const DATABASE = 4;
const API_PORTS = [18601, 18602];

/** Separate processes of `node dist/main.js` sharing one Redis, as an orchestrator would run them. */
describe('api and worker processes', () => {
  const processes: ServiceProcess[] = [];
  const start = (environment: Record<string, string>) => {
    const service = spawnMain({ REDIS_URL: redisUrlForDatabase(DATABASE), LOG_LEVEL: 'info', BATCH_TIMEOUT_MS: '30', ...environment });
    processes.push(service);
    return service;
  };

  beforeAll(() => emptyDatabase(DATABASE));
  afterAll(() => Promise.all(processes.map((service) => service.stop())));

  it('answers from either API process for every job one worker analysed', async () => {
    const [first, second] = API_PORTS.map((port) => start({ APP_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' }));
    const worker = start({ APP_ROLE: 'worker' });
    await Promise.all([waitForOutput(first, /Listening on/), waitForOutput(second, /Listening on/), waitForOutput(worker, /Worker started/)]);

    const [submitUrl, pollUrl] = API_PORTS.map((port) => `http://127.0.0.1:${port}`);
    const accepted = await Promise.all(Array.from({ length: 12 }, (_, n) => postJson(submitUrl, '/analyze', { abstract: sampleAbstract(200 + n) })));
    expect(accepted.map((answer) => answer.status)).toEqual(Array(12).fill(202));

    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(pollUrl, answer.body.request_id)));
    expect(finished.map((answer) => answer.body.status)).toEqual(Array(12).fill('done'));
    expect(first.output()).not.toMatch(/Worker started/);
    expect(worker.output()).not.toMatch(/Listening on/);
  });

  it('stops with one clear line when Redis cannot be reached', async () => {
    const service = start({ REDIS_URL: 'redis://:secret-password@127.0.0.1:1', PORT: '18603' });
    expect(await waitForExit(service)).toBe(1);
    expect(service.output().trim()).toBe('Cannot reach Redis at redis://***@127.0.0.1:1 (ECONNREFUSED): start Redis or set REDIS_URL');
  });

  it('stops with one line naming the variable when the configuration is invalid', async () => {
    const service = start({ BATCH_SIZE: 'lots', GROQ_API_KEY: 'gsk_secret' });
    expect(await waitForExit(service)).toBe(1);
    expect(service.output().trim()).toBe('Invalid configuration: BATCH_SIZE must be an integer number (got "lots")');
  });
});
