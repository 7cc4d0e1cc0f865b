import { CommandBus } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { AnalyzePaperCommand, AnalyzePaperOutcome } from '../../src/analysis/commands/analyze-paper/analyze-paper.command';
import { CUT_OFF_CALLS_AFTER_MS } from '../../src/batching/analysis-worker';
import { countPaperTokens } from '../../src/llm/groq/paper-prompt';
import { KEY_PREFIX } from '../../src/redis/redis-keys';
import { FakeGroqServer } from '../fakes/fake-groq-server';
import { eventually } from '../support/eventually';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract, samplePaperText } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase, RunningApp, startApp } from '../support/test-app';

const DATABASE = 13;
const BUDGET = 1_500;
const LIMITS = { LLM_RPM: '600', LLM_TPM: '400000', LLM_RPD: '100000' };

/** A paper whose every section is long: each method paragraph is another study's abstract. */
function longPaper(firstSeed = 900): string {
  const methodParagraphs = Array.from({ length: 24 }, (_, n) => sampleAbstract(firstSeed + n)).join('\n\n');
  return samplePaperText(9).replace('2 Method\n', `2 Method\n${methodParagraphs}\n\n`);
}

/** A worker process of `node dist/main.js` on the groq adapter, against a fake Groq enforcing the same limits. */
describe('LLM calls of a worker process', () => {
  const groq = new FakeGroqServer({ rpm: Number(LIMITS.LLM_RPM), tpm: Number(LIMITS.LLM_TPM) });
  let worker: ServiceProcess;
  let api: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    const { baseUrl: groqUrl } = await groq.start();
    const groqSettings = { GROQ_API_KEY: 'gsk_test_key', GROQ_BASE_URL: groqUrl, ...LIMITS };
    worker = spawnMain({ REDIS_URL: redisUrlForDatabase(DATABASE), APP_ROLE: 'worker', BATCH_MAX_TOKENS: String(BUDGET), BATCH_TIMEOUT_MS: '50', ...groqSettings });
    await waitForOutput(worker, /Worker started/);
    api = await startApp(DATABASE, { APP_ROLE: 'api', ...groqSettings });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await groq.stop();
  });

  beforeEach(() => groq.reset());

  it('map-reduces a paper longer than BATCH_MAX_TOKENS: several calls along its sections, one analysis', async () => {
    const text = longPaper();
    expect(countPaperTokens({ id: 'p1', text })).toBeGreaterThan(2.5 * BUDGET);

    const accepted = await postJson(api.baseUrl, '/analyze', { title: 'A long study', text });
    const finished = await pollUntilFinished(api.baseUrl, accepted.body.request_id);
    expect(finished.body).toMatchObject({ status: 'done', attempts: 1 });
    expect(finished.body.result.sections.map((section: { name: string }) => section.name)).toEqual([
      'Abstract',
      '1 Introduction',
      '2 Method',
      '3 Experiments',
      '4 Conclusion',
      'References',
    ]);
    const calls = groq.stats().call_log;
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((call) => call.status === 200)).toBe(true);
  });

  it("asks again only for the parts still unanswered when a long paper's first attempt failed", async () => {
    groq.queueFaults(['server_error']);
    const accepted = await postJson(api.baseUrl, '/analyze', { title: 'A long study that fails once', text: longPaper(2_000) });
    const finished = await pollUntilFinished(api.baseUrl, accepted.body.request_id);
    expect(finished.body).toMatchObject({ status: 'done', attempts: 2 });

    const reused = /Reusing the analyses of (\d+) of a long text's (\d+) parts/.exec(worker.output());
    expect(reused).not.toBeNull();
    const [kept, parts] = [Number(reused![1]), Number(reused![2])];
    expect(parts).toBeGreaterThanOrEqual(3);
    expect(kept).toBe(parts - 1);
    // Every part once (one of them failing), then the failed part again and the notes on all the parts.
    expect(groq.stats().call_log.map((call) => call.status)).toEqual([...Array(parts).fill(expect.any(Number)), 200, 200]);
    expect(groq.stats().call_log.filter((call) => call.status === 500)).toHaveLength(1);
  });

  it('map-reduces a paper sent as an abstract alone, longer than BATCH_MAX_TOKENS', async () => {
    const abstract = Array.from({ length: 30 }, (_, n) => sampleAbstract(1_200 + n)).join(' ');
    expect(countPaperTokens({ id: 'p1', abstract, text: '' })).toBeGreaterThan(2.5 * BUDGET);

    const accepted = await postJson(api.baseUrl, '/analyze', { abstract });
    const finished = await pollUntilFinished(api.baseUrl, accepted.body.request_id);
    expect(finished.body).toMatchObject({ status: 'done', attempts: 1 });
    expect(groq.stats().call_log.length).toBeGreaterThanOrEqual(3);
  });

  /** Two abstracts submitted at once, so that they share a call, and each analysed to done at its first attempt. */
  const analysedTogetherInOneAttempt = async (...seeds: number[]) => {
    const accepted = await Promise.all(seeds.map((seed) => postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(seed) })));
    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(api.baseUrl, answer.body.request_id)));
    expect(finished.map((answer) => answer.body)).toEqual(seeds.map(() => expect.objectContaining({ status: 'done', attempts: 1 })));
  };

  it('asks each paper again alone when Groq refuses a packed call\'s answer as invalid JSON', async () => {
    groq.queueFaults(['json_validate_failed']);
    await analysedTogetherInOneAttempt(1_111, 1_112);
    expect(groq.stats().call_log.map((call) => [call.papers, call.status])).toEqual([
      [2, 400],
      [1, 200],
      [1, 200],
    ]);
  });

  it('asks again alone for a paper whose item is missing from a packed answer', async () => {
    groq.queueFaults(['missing_item']);
    await analysedTogetherInOneAttempt(1_101, 1_102);
    expect(groq.stats().call_log.map((call) => [call.papers, call.fault])).toEqual([
      [2, 'missing_item'],
      [1, undefined],
    ]);
  });
});

/** A worker told to stop while its analyses wait on the LLM: it finishes them, and their outcomes are recorded. */
describe('a worker process stopping with jobs in hand', () => {
  const groq = new FakeGroqServer({ latencyMs: 1_500 });
  let groqUrl: string;
  let api: RunningApp;
  const statusesOf = (ids: readonly string[]) => Promise.all(ids.map(async (id) => (await request(api.baseUrl, `/status/${id}`)).body.status));

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    ({ baseUrl: groqUrl } = await groq.start());
    api = await startApp(DATABASE, { APP_ROLE: 'api' });
  });

  afterAll(async () => {
    await api?.close();
    await groq.stop();
  });

  const spawnWorker = (settings: Record<string, string> = {}) =>
    spawnMain({
      REDIS_URL: redisUrlForDatabase(DATABASE),
      APP_ROLE: 'worker',
      BATCH_TIMEOUT_MS: '20',
      GROQ_API_KEY: 'gsk_test_key',
      GROQ_BASE_URL: groqUrl,
      ...LIMITS,
      ...settings,
    });

  /** A new worker analyses every request to done at its first attempt: the worker before spent none and lost none. */
  const finishedAtFirstAttemptByNextWorker = async (ids: readonly string[]) => {
    const next = spawnWorker();
    try {
      const finished = await Promise.all(ids.map((id) => pollUntilFinished(api.baseUrl, id)));
      expect(finished.map((answer) => answer.body)).toEqual(ids.map(() => expect.objectContaining({ status: 'done', attempts: 1 })));
    } finally {
      await next.stop();
    }
  };

  /** The calls of the tests before, within the last minute, count against a limit of one a minute. */
  const forgetRateLimits = async () => {
    const redis = new Redis(redisUrlForDatabase(DATABASE));
    const keys = await redis.keys(`${KEY_PREFIX}:llm-limits:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  };

  it('on SIGTERM finishes the calls under way and records their analyses, even on their last attempt', async () => {
    groq.reset();
    const worker = spawnWorker({ LLM_ATTEMPTS: '1' });
    try {
      await waitForOutput(worker, /Worker started/);
      const accepted = await Promise.all([1, 2, 3].map((seed) => postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(2_000 + seed) })));
      const ids: string[] = accepted.map((answer) => answer.body.request_id);
      // The three papers share one call, answered 1.5 s after it reaches Groq.
      await eventually(() => groq.stats().calls, (calls) => calls === 1, 10_000, 20);

      await worker.stop();
      expect(await statusesOf(ids)).toEqual(['done', 'done', 'done']);
    } finally {
      await worker.stop();
    }
  });

  it('on SIGTERM gives back, untried and not failed, the requests whose calls wait for the rate limits', async () => {
    // One call a minute of one paper each, on the last attempt: the first call goes out, the others wait for room.
    await forgetRateLimits();
    const first = spawnWorker({ LLM_RPM: '1', BATCH_SIZE: '1', LLM_ATTEMPTS: '1' });
    try {
      await waitForOutput(first, /Worker started/);
      const accepted = await Promise.all([1, 2, 3].map((seed) => postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(2_100 + seed) })));
      const ids: string[] = accepted.map((answer) => answer.body.request_id);
      const oneDoneTwoWaiting = (statuses: string[]) => statuses.filter((status) => status === 'done').length === 1 && statuses.filter((status) => status === 'processing').length === 2;
      await eventually(() => statusesOf(ids), oneDoneTwoWaiting, 15_000, 50);

      // Waiting out the minute would outlast the grace before SIGKILL: the process must end by itself.
      await first.stop();
      expect(first.child.signalCode).toBe('SIGTERM');
      const answers = await Promise.all(ids.map(async (id) => (await request(api.baseUrl, `/status/${id}`)).body));
      const untried = answers.filter((answer) => answer.status === 'queued');
      expect(untried).toHaveLength(2);
      expect(untried).toEqual(untried.map(() => expect.objectContaining({ attempts: 0, started_at: null })));
      await finishedAtFirstAttemptByNextWorker(ids);
    } finally {
      await first.stop();
    }
  });

  it(`on SIGTERM cuts off, after ${CUT_OFF_CALLS_AFTER_MS / 1000} s, a call still under way, and gives its requests back untried`, async () => {
    groq.reset();
    // Groq holds the call open; the worker would wait the 60 s of LLM_TIMEOUT_MS, past the 15 s before SIGKILL.
    groq.queueFaults(['timeout']);
    const first = spawnWorker({ LLM_ATTEMPTS: '1', LLM_TIMEOUT_MS: '60000' });
    try {
      await waitForOutput(first, /Worker started/);
      // In one turn of the event loop, so that the API records both in one job and the worker packs them in one call.
      const commands = api.app.get(CommandBus);
      const papers = [1, 2].map((seed) => ({ abstract: sampleAbstract(2_200 + seed), text: '' }));
      const outcomes: AnalyzePaperOutcome[] = await Promise.all(papers.map((paper) => commands.execute(new AnalyzePaperCommand(paper))));
      const ids = outcomes.map((outcome) => outcome.requestId);
      await eventually(() => groq.stats().call_log, (calls) => calls.length === 1, 10_000, 20);
      expect(groq.stats().call_log[0]).toMatchObject({ papers: 2, fault: 'timeout' });

      const stoppedAt = Date.now();
      await first.stop();
      expect(first.child.signalCode).toBe('SIGTERM');
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(CUT_OFF_CALLS_AFTER_MS);
      expect(first.output()).toMatch(/Cut off 1 LLM call\(s\) still under way \d+ s into the stop/);
      const answers = await Promise.all(ids.map(async (id) => (await request(api.baseUrl, `/status/${id}`)).body));
      expect(answers).toEqual(ids.map(() => expect.objectContaining({ status: 'queued', attempts: 0, started_at: null })));
      expect(groq.stats().calls).toBe(1);
      await finishedAtFirstAttemptByNextWorker(ids);
    } finally {
      await first.stop();
    }
  }, 60_000);

  it('takes on only what its analyser can soon get to, and on SIGTERM gives the rest back untouched for the next worker', async () => {
    // Two calls of two papers at a time: the worker works on up to 4 batches per call in flight, 16 requests,
    // where Bull would hand it as many jobs as it has batch places (4), with all their requests.
    const first = spawnWorker({ BATCH_SIZE: '2', MAX_INFLIGHT: '2' });
    try {
      await waitForOutput(first, /Worker started/);
      // Each burst's commands run in one turn of the event loop, so that the API records them as one job.
      const commands = api.app.get(CommandBus);
      const ids: string[] = [];
      for (let burst = 0; burst < 5; burst += 1) {
        const papers = Array.from({ length: 12 }, (_, n) => ({ abstract: sampleAbstract(3_000 + 12 * burst + n), text: '' }));
        const outcomes: AnalyzePaperOutcome[] = await Promise.all(papers.map((paper) => commands.execute(new AnalyzePaperCommand(paper))));
        ids.push(...outcomes.map((outcome) => outcome.requestId));
      }
      let mostProcessing = 0;
      const processingNow = async () => {
        const statuses = await statusesOf(ids);
        mostProcessing = Math.max(mostProcessing, statuses.filter((status) => status === 'processing').length);
        return statuses;
      };
      await eventually(processingNow, (statuses) => statuses.filter((status) => status === 'done').length >= 8, 15_000, 20);
      expect(mostProcessing).toBeGreaterThan(0);
      // 16 requests held, and at most one job more; handed all four jobs, it would be working on 48.
      expect(mostProcessing).toBeLessThanOrEqual(28);

      await first.stop();
      expect(first.child.signalCode).toBe('SIGTERM');
      const afterStop = await statusesOf(ids);
      expect(afterStop).not.toContain('processing');
      expect(afterStop.filter((status) => status === 'queued').length).toBeGreaterThanOrEqual(24);
      await finishedAtFirstAttemptByNextWorker(ids);
    } finally {
      await first.stop();
    }
  });
});
