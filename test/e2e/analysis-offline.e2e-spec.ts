import { pollUntilFinished, postJson, request } from '../support/http-client';
import { sampleAbstract, samplePaperText } from '../support/sample-papers';
import { emptyDatabase, RunningApp, startApp } from '../support/test-app';

const DATABASE = 1;

/** One `all` process with no key: the offline analyser does the whole job. */
describe('analysis with the offline analyser', () => {
  let service: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    service = await startApp(DATABASE, { BATCH_TIMEOUT_MS: '20' });
  });
  afterAll(() => service.close());

  it('takes a submitted paper from queued to done with a full analysis', async () => {
    const accepted = await postJson(service.baseUrl, '/analyze', { text: samplePaperText(3) });
    expect(accepted.status).toBe(202);

    const answer = await pollUntilFinished(service.baseUrl, accepted.body.request_id);
    expect(answer.headers.get('retry-after')).toBeNull();
    const status = answer.body;
    expect(status).toMatchObject({ request_id: accepted.body.request_id, status: 'done', attempts: 1, cached: false });
    expect(Date.parse(status.submitted_at)).toBeLessThanOrEqual(Date.parse(status.started_at));
    expect(Date.parse(status.started_at)).toBeLessThanOrEqual(Date.parse(status.finished_at));

    const { result } = status;
    expect(result.provider).toBe('offline');
    expect(result.model).toMatch(/extractive/);
    expect(result.title).toBe('Learning reinforcement learning from few labels');
    expect(result.summary.length).toBeGreaterThan(80);
    expect(result.key_findings.length).toBeGreaterThanOrEqual(1);
    expect(result.keywords.length).toBeGreaterThanOrEqual(3);
    expect(result.sections.map((section: { name: string }) => section.name)).toEqual(
      expect.arrayContaining(['Abstract', '1 Introduction', '2 Method', '3 Experiments', '4 Conclusion', 'References']),
    );
  });

  it('answers the same normalised content again at once from the cache, as a pollable request', async () => {
    const first = await postJson(service.baseUrl, '/analyze', { title: 'Few labels', abstract: sampleAbstract(4) });
    const done = await pollUntilFinished(service.baseUrl, first.body.request_id);

    const again = await postJson(service.baseUrl, '/analyze', { title: '  Few   labels ', abstract: `${sampleAbstract(4)}\r\n` });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ request_id: expect.any(String), status: 'done', cached: true, result: done.body.result });
    expect(again.body.request_id).not.toBe(first.body.request_id);

    const polled = await request(service.baseUrl, `/status/${again.body.request_id}`);
    expect(polled.body).toMatchObject({ status: 'done', cached: true, attempts: 0, result: done.body.result });

    const { body: stats } = await request(service.baseUrl, '/status');
    expect(stats.cache.hits).toBe(1);
    expect(stats.analyses.processed).toBe(2);
  });
});
