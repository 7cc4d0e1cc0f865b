import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WATCHED_FROM_BYTES } from '../../src/http/large-bodies';
import { redisKeys } from '../../src/redis/redis-keys';
import { eventually } from '../support/eventually';
import { expectError } from '../support/expect-error';
import { HalfSentRequest } from '../support/half-sent-request';
import { postJson, request } from '../support/http-client';
import { sampleAbstract, samplePaperText } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase, RunningApp, startApp } from '../support/test-app';

const DATABASE = 2;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An API-only process: nothing takes the jobs, so every accepted request stays queued. */
describe('HTTP contract (api role)', () => {
  let service: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    service = await startApp(DATABASE, { APP_ROLE: 'api', MAX_TEXT_CHARS: '2000' });
  });
  afterAll(() => service.close());

  it('accepts a paper with 202, a UUID v4 request id, status_url and Location', async () => {
    const answer = await postJson(service.baseUrl, '/analyze', { title: 'A study', abstract: sampleAbstract(1) });
    expect(answer.status).toBe(202);
    expect(answer.body.request_id).toMatch(UUID_V4);
    expect(answer.body).toEqual({ request_id: answer.body.request_id, status: 'queued', status_url: `/status/${answer.body.request_id}` });
    expect(answer.headers.get('location')).toBe(answer.body.status_url);
  });

  it('answers a queued request with its times, attempts, Retry-After and no-store, under its id in either case', async () => {
    const { body: accepted } = await postJson(service.baseUrl, '/analyze', { text: sampleAbstract(2) });
    const answer = await request(service.baseUrl, accepted.status_url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const upperCase = await request(service.baseUrl, `/status/${accepted.request_id.toUpperCase()}`);
    expect(upperCase.body).toEqual(answer.body);
    expect(answer.body).toEqual({
      request_id: accepted.request_id,
      status: 'queued',
      submitted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      started_at: null,
      finished_at: null,
      attempts: 0,
      cached: false,
    });
  });

  it('names each bad field with 400', async () => {
    expectError(await postJson(service.baseUrl, '/analyze', {}), 400, /text or abstract must be a non-empty string/);
    expectError(await postJson(service.baseUrl, '/analyze', [1]), 400, /^body must be an object$/);
    expectError(await postJson(service.baseUrl, '/analyze', { text: '   ', abstract: '' }), 400, /text or abstract/);
    expectError(await postJson(service.baseUrl, '/analyze', { text: 42 }), 400, /text must be a string/);
    const both = await postJson(service.baseUrl, '/analyze', { text: 'fine', title: 't'.repeat(1001), abstract: 7 });
    expectError(both, 400, /title must be at most 1,000 characters/);
    expect(both.body.message).toMatch(/abstract must be a string/);
  });

  it('refuses a paper that is nothing but control or invisible characters with 400', async () => {
    expectError(await postJson(service.baseUrl, '/analyze', { text: '\u0000\u0007', abstract: '\u007f' }), 400, /hold nothing readable/);
    expectError(await postJson(service.baseUrl, '/analyze', { text: '\u200f', abstract: '\u00ad\u00ad' }), 400, /hold nothing readable/);
  });

  it('holds the limits on the paper as normalised, which can be many times longer than as sent', async () => {
    // U+FDFA folds into 18 characters: 200 of them pass every check on the text as sent.
    const expanding = '\uFDFA'.repeat(200);
    expectError(await postJson(service.baseUrl, '/analyze', { text: expanding }), 413, /text has 3,600 characters once normalised; the limit is 2,000/);
    const title = await postJson(service.baseUrl, '/analyze', { text: 'fine', title: expanding });
    expectError(title, 400, /title must be at most 1,000 characters once normalised/);
    // Characters are counted as the schema counts them: an emoji is one, though two UTF-16 units.
    expect((await postJson(service.baseUrl, '/analyze', { text: 'fine', title: '\u{1F52C}'.repeat(1_000) })).status).toBe(202);
  });

  it('refuses a text over MAX_TEXT_CHARS with 413 naming the limit, and a body over the byte limit too', async () => {
    expectError(await postJson(service.baseUrl, '/analyze', { text: 'x'.repeat(2001) }), 413, /limit is 2,000 \(MAX_TEXT_CHARS\)/);
    const huge = JSON.stringify({ text: 'x'.repeat(service.config.http.bodyLimitBytes + 10) });
    const answer = await request(service.baseUrl, '/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    expectError(answer, 413, /limited to 2,000 characters/);
  });

  it('refuses other content types with 415 and broken JSON with 400', async () => {
    const plain = await request(service.baseUrl, '/analyze', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expectError(plain, 415, /send application\/json/);
    const broken = await request(service.baseUrl, '/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": ' });
    expectError(broken, 400, /not valid JSON/);
    // Not even the part of the paper the parser stopped at.
    const unquoted = await request(service.baseUrl, '/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"abstract": Patient 44 was' });
    expectError(unquoted, 400, /^the body is not valid JSON: Unexpected token 'P'$/);
  });

  it('reads a JSON body that starts with a byte-order mark', async () => {
    const withMark = await request(service.baseUrl, '/analyze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `\ufeff${JSON.stringify({ abstract: sampleAbstract(33) })}` });
    expect(withMark.status).toBe(202);
  });

  it('answers a path the router cannot read with 400 in the API\'s error shape, without echoing it', async () => {
    expectError(await request(service.baseUrl, `/status/${'a'.repeat(101)}`), 400, /a path segment is longer than 100 characters/);
    expectError(await request(service.baseUrl, '/status/%E0%A4%A'), 400, /the URL is not valid/);
  });

  it('answers an unknown route with 404, naming its path but not its query string', async () => {
    expectError(await request(service.baseUrl, '/nope?api_key=gsk_secret'), 404, /^Cannot GET \/nope$/);
  });

  it('answers 404 for an unknown id and 400 for an id that is not a UUID v4', async () => {
    expectError(await request(service.baseUrl, `/status/${randomUUID()}`), 404, /no analysis request/);
    expectError(await request(service.baseUrl, '/status/12345'), 400, /UUID v4/);
    expectError(await request(service.baseUrl, '/nowhere'), 404, /Cannot GET \/nowhere/);
  });

  it('reports the queue and totals on GET /status', async () => {
    const answer = await request(service.baseUrl, '/status');
    expect(answer.status).toBe(200);
    expect(answer.body.queue.waiting).toBeGreaterThanOrEqual(2);
    expect(answer.body.queue.waiting_requests).toBeGreaterThanOrEqual(2);
    expect(answer.body.analyses.submitted).toBeGreaterThanOrEqual(2);
    expect(answer.body.cache.misses).toBeGreaterThanOrEqual(2);
    expect(answer.body.llm).toMatchObject({ provider: 'offline', model: expect.stringContaining('extractive'), calls: 0 });
    expect(answer.body.workers).toBe(0);
    expect(answer.body.uptime_seconds).toBeGreaterThan(0);
  });

  it('exposes the service-wide totals, the queue depth and the process runtime to Prometheus', async () => {
    const answer = await request(service.baseUrl, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const value = (metric: string) => Number(new RegExp(`^${metric.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(answer.body)?.[1]);
    expect(value('rpa_analyses_submitted_total')).toBeGreaterThanOrEqual(2);
    expect(value('rpa_queue_jobs{state="waiting"}')).toBeGreaterThanOrEqual(2);
    expect(value('rpa_llm_calls_total')).toBe(0);
    expect(answer.body).toMatch(/^# TYPE rpa_cache_misses_total counter$/m);
    expect(answer.body).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('never reports a negative call time, as between the counting of a call\'s rate-limit wait and of its time', async () => {
    const redis = new Redis(redisUrlForDatabase(DATABASE));
    try {
      await redis.hincrby(redisKeys.stats, 'llm_rate_limit_wait_ms', 5_000);
      await sleep(1_100);
      const answer = await request(service.baseUrl, '/metrics');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^rpa_llm_call_milliseconds_total 0$/m);
    } finally {
      await redis.hincrby(redisKeys.stats, 'llm_rate_limit_wait_ms', -5_000);
      await redis.quit();
    }
  });

  it('shares one read of the totals among the scrapes of a second', async () => {
    const submitted = async () => Number(/^rpa_analyses_submitted_total (\d+)$/m.exec((await request(service.baseUrl, '/metrics')).body)?.[1]);
    const redis = new Redis(redisUrlForDatabase(DATABASE));
    try {
      await sleep(1_100);
      const first = await submitted();
      await redis.hincrby(redisKeys.stats, 'submitted', 1);
      expect(await submitted()).toBe(first);
      await sleep(1_100);
      expect(await submitted()).toBe(first + 1);
    } finally {
      await redis.hincrby(redisKeys.stats, 'submitted', -1);
      await redis.quit();
    }
  });

  it('keeps an idle connection 65 s, gives a client 30 s to send its headers, and as long as the largest upload takes at 1 Mbit/s to send the rest', () => {
    const server = service.app.getHttpServer();
    // Longer than the 60 s load balancers usually keep an idle connection, so the balancer always closes first.
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(30_000);
    // MAX_UPLOAD_MB=20: 20 MiB at 125,000 bytes a second.
    expect(server.requestTimeout).toBe(167_773);
  });

  it('answers liveness and readiness in Terminus format', async () => {
    const live = await request(service.baseUrl, '/health/live');
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await request(service.baseUrl, '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ok', info: { redis: { status: 'up' } } } });
  });

  it('serves the Swagger UI and an OpenAPI document describing every route', async () => {
    const page = await request(service.baseUrl, '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    const { body: document } = await request(service.baseUrl, '/docs-json');
    expect(Object.keys(document.paths).sort()).toEqual(['/analyze', '/health/live', '/health/ready', '/metrics', '/status', '/status/{id}']);
    expect(Object.keys(document.paths['/analyze'].post.responses).sort()).toEqual(['200', '202', '400', '413', '415', '422', '429', '503']);
    expect(document.paths['/analyze'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AnalyzePaperRequest' });
    expect(Object.keys(document.components.schemas.AnalyzePaperRequest.properties)).toEqual(['title', 'abstract', 'text']);
    expect(document.components.schemas.AnalysisResultDto.required).toEqual(
      expect.arrayContaining(['title', 'summary', 'key_findings', 'sections', 'provider', 'model']),
    );
  });

  it('documents the refusals every route can give, the headers that come with them, and the optional API key', async () => {
    const { body: document } = await request(service.baseUrl, '/docs-json');
    const submit = document.paths['/analyze'].post;
    expect(Object.keys(submit.responses['202'].headers)).toEqual(['Location']);
    expect(Object.keys(submit.responses['429'].headers)).toEqual(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']);
    for (const [path, throttled] of [['/analyze', true], ['/status/{id}', true], ['/status', true], ['/metrics', false]] as const) {
      const operation = document.paths[path].post ?? document.paths[path].get;
      expect(Object.keys(operation.responses['503'].headers)).toEqual(['Retry-After']);
      expect(operation.responses['503'].description).toMatch(/Redis is unreachable/);
      const keyHeader = (operation.parameters ?? []).find((parameter: { name: string }) => parameter.name === 'X-API-Key');
      expect(keyHeader ? { in: keyHeader.in, required: keyHeader.required } : undefined).toEqual(throttled ? { in: 'header', required: false } : undefined);
    }
  });
});

describe('Request admission with one place (MAX_CONCURRENT_REQUESTS=1)', () => {
  let service: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    service = await startApp(DATABASE, { APP_ROLE: 'api', MAX_CONCURRENT_REQUESTS: '1' });
  });
  afterAll(() => service.close());

  it('answers probes past a client that holds the place by sending its body slowly, and the others once that place expires', async () => {
    const slow = new HalfSentRequest(Number(new URL(service.baseUrl).port), JSON.stringify({ abstract: sampleAbstract(940) }));
    try {
      await slow.sendFirstHalf();
      const heldSince = Date.now();
      await sleep(100);
      const answered: string[] = [];
      const noting = async (name: string, path: string) => {
        const answer = await request(service.baseUrl, path);
        answered.push(name);
        return answer;
      };
      const [status, live] = await Promise.all([noting('status', '/status'), noting('live', '/health/live')]);
      expect([status.status, live.status]).toEqual([200, 200]);
      expect(answered).toEqual(['live', 'status']);
      // The poll waited while the slow request counted, three to four cohorts of 250 ms, and not for Node's
      // 30 s request timeout to end it.
      const waited = Date.now() - heldSince;
      expect(waited).toBeGreaterThanOrEqual(700);
      expect(waited).toBeLessThan(10_000);
    } finally {
      slow.abandon();
    }
  });
});

describe('Closing with a request waiting for its place (MAX_CONCURRENT_REQUESTS=1)', () => {
  it('answers both the request holding the place and the one waiting behind it', async () => {
    await emptyDatabase(DATABASE);
    const service = await startApp(DATABASE, { APP_ROLE: 'api', MAX_CONCURRENT_REQUESTS: '1' });
    const holder = new HalfSentRequest(Number(new URL(service.baseUrl).port), JSON.stringify({ abstract: sampleAbstract(930) }));
    await holder.sendFirstHalf();
    await sleep(100);
    const waiting = postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(931) });
    await sleep(100);

    const closed = service.close();
    await sleep(100);
    expect((await holder.finish()).split('\r\n')[0]).toBe('HTTP/1.1 202 Accepted');
    expect((await waiting).status).toBe(202);
    await closed;
  });
});

describe('Large request bodies (one API process with a small heap)', () => {
  const PORT = 18631;
  const baseUrl = `http://127.0.0.1:${PORT}`;
  /** What the body limit lets a client declare at the default MAX_TEXT_CHARS; only the head is ever sent. */
  const declaredBody = 'x'.repeat(2_600_000);
  const held: HalfSentRequest[] = [];
  let api: ServiceProcess;

  beforeAll(async () => {
    // A heap of 176 MB allows its eighth, 22 MB, of bodies in flight: the largest upload's 22.6 MB.
    api = spawnMain({ REDIS_URL: redisUrlForDatabase(DATABASE), APP_ROLE: 'api', HOST: '127.0.0.1', PORT: String(PORT), NODE_OPTIONS: '--max-old-space-size=128' });
    await waitForOutput(api, /Listening on/);
  });
  afterAll(async () => {
    held.forEach((body) => body.abandon());
    await api.stop();
  });

  it('refuses a large body with 503 and Retry-After while the ones arriving fill its budget, and serves small ones meanwhile', async () => {
    let refused: string | undefined;
    while (refused === undefined && held.length < 40) {
      const body = new HalfSentRequest(PORT, declaredBody);
      await body.sendHead();
      const answer = await Promise.race([body.answered(), sleep(300).then(() => undefined)]);
      if (answer === undefined) held.push(body);
      else refused = answer;
    }
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(refused).toContain('receiving as many large request bodies as its memory allows');
    expect((await postJson(baseUrl, '/analyze', { text: sampleAbstract(31) })).status).toBe(202);

    held.splice(0).forEach((body) => body.abandon());
    const large = { text: samplePaperText(32).repeat(40) };
    expect(JSON.stringify(large).length).toBeGreaterThan(WATCHED_FROM_BYTES);
    expect((await eventually(() => postJson(baseUrl, '/analyze', large), (answer) => answer.status === 202, 5_000, 100)).status).toBe(202);
  });

  it('times out a large body that stops coming 10 s in, long before the request timeout', async () => {
    const body = new HalfSentRequest(PORT, declaredBody);
    const startedAt = performance.now();
    await body.sendHead();
    const answer = await body.answered();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const waitedMs = performance.now() - startedAt;
    expect(waitedMs).toBeGreaterThan(10_000);
    expect(waitedMs).toBeLessThan(15_000);
  }, 30_000);
});
