import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAppConfig } from '../../src/config/app-config';
import { HalfSentRequest } from '../support/half-sent-request';
import { request } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { ServiceProcess, spawnMain, waitForOutput } from '../support/service-process';
import { emptyDatabase, redisUrlForDatabase } from '../support/test-app';

const DATABASE = 5;
const PORTS = [18611, 18612];
const BEHIND_PROXY_PORT = 18613;
const API_KEY = 'team-key-1';

/**
 * The answer to a request the service was not sent all of, which must be a 429 naming when to come back:
 * the rest of the body never comes, so only a refusal made before reading it can come back.
 */
async function refusalWithoutTheBody(request: HalfSentRequest): Promise<string> {
  const answer = await Promise.race([request.answered(), sleep(5_000).then(() => 'no answer within 5 s')]);
  request.abandon();
  expect(answer).toMatch(/^HTTP\/1\.1 429 /);
  expect(answer).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i);
  return answer;
}

/** Two API processes of `node dist/main.js` sharing one Redis: a client's limit is one limit. */
describe('throttling across API processes', () => {
  let processes: ServiceProcess[] = [];
  const [first, second, behindProxy] = [...PORTS, BEHIND_PROXY_PORT].map((port) => `http://127.0.0.1:${port}`);
  const submit = (baseUrl: string, headers: Record<string, string> = {}) =>
    request(baseUrl, '/analyze', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ abstract: sampleAbstract(Math.floor(Math.random() * 1e9)) }),
    });

  const settings = (port: number) => ({
    APP_ROLE: 'api',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrlForDatabase(DATABASE),
    THROTTLE_LIMIT: '10',
    THROTTLE_STATUS_LIMIT: '15',
    THROTTLE_TTL: '60',
    API_KEYS: API_KEY,
  });

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    processes = [...PORTS.map((port) => spawnMain(settings(port))), spawnMain({ ...settings(BEHIND_PROXY_PORT), TRUST_PROXY: '1' })];
    await Promise.all(processes.map((service) => waitForOutput(service, /Listening on/)));
  });
  afterAll(() => Promise.all(processes.map((service) => service.stop())));

  it('holds THROTTLE_LIMIT submissions per client across both processes, then answers 429 with Retry-After and the limit', async () => {
    const answers = [];
    for (let n = 0; n < 12; n += 1) answers.push(await submit(n % 2 === 0 ? first : second));
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(202), 429, 429]);

    expect(answers[0].headers.get('x-ratelimit-limit')).toBe('10');
    expect(answers[9].headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = answers[10];
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('10');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'too many requests from this client: at most 10 per 60 s; try again after the seconds in Retry-After',
    });
  });

  it('gives a client with a known API key its own budget, and an invented key none', async () => {
    expect((await submit(first, { 'x-api-key': 'invented' })).status).toBe(429);
    expect((await submit(second, { 'x-api-key': API_KEY })).status).toBe(202);
  });

  it('counts polling apart from submitting, with its own higher limit', async () => {
    const accepted = await submit(first, { 'x-api-key': API_KEY });
    const polls = [];
    for (let n = 0; n < 16; n += 1) polls.push(await request(n % 2 === 0 ? first : second, accepted.body.status_url));
    expect(polls.slice(0, 15).every((poll) => poll.status === 200)).toBe(true);
    expect(polls[15].status).toBe(429);
    expect((await request(first, '/health/ready')).status).toBe(200);
  });

  it('believes X-Forwarded-For only behind a proxy it was told of', async () => {
    // The first test spent this client's budget on the processes that trust no proxy.
    expect((await submit(first, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    expect((await submit(behindProxy, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(202);
  });

  it('counts IPv6 clients per /64, so moving through its addresses does not escape the limit', async () => {
    const fromAddress = (address: string) => submit(behindProxy, { 'x-forwarded-for': address });
    const answers = [];
    for (let n = 1; n <= 10; n += 1) answers.push(await fromAddress(`2001:db8:1:2::${n.toString(16)}`));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    expect((await fromAddress('2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await fromAddress('2001:db8:1:3::1')).status).toBe(202);
  });

  it('counts a client as one whatever port a proxy writes beside its address in X-Forwarded-For', async () => {
    const fromPort = (address: string) => submit(behindProxy, { 'x-forwarded-for': address });
    const answers = [];
    for (let port = 40_001; port <= 40_010; port += 1) answers.push(await fromPort(`192.0.2.44:${port}`));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    expect((await fromPort('192.0.2.44:40011')).status).toBe(429);
    expect((await fromPort('192.0.2.44')).status).toBe(429);
    expect((await fromPort('[2001:db8:9:9::1]:40001')).status).toBe(202);
  });

  it('counts submissions whose bodies Fastify refuses (malformed, of another type, too large), and refuses them 429 once over', async () => {
    const client = { 'x-forwarded-for': '192.0.2.91' };
    const post = (contentType: string, body: string) =>
      request(behindProxy, '/analyze', { method: 'POST', headers: { 'content-type': contentType, ...client }, body });
    const refusals = [];
    for (let n = 0; n < 4; n += 1) refusals.push(await post('application/json', '{"text": '));
    for (let n = 0; n < 3; n += 1) refusals.push(await post('text/plain', 'a paper as plain text'));
    for (let n = 0; n < 2; n += 1) refusals.push(await post('application/json', JSON.stringify({ text: 5 })));
    expect(refusals.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 415, 415, 415, 400, 400]);
    expect(refusals.map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1']);
    // Only declared: Fastify answers 413 and closes the connection, which a client still sending the body meets as EPIPE.
    const { bodyLimitBytes } = loadAppConfig(settings(BEHIND_PROXY_PORT)).http;
    const tooLarge = new HalfSentRequest(BEHIND_PROXY_PORT, JSON.stringify({ text: 'x'.repeat(bodyLimitBytes) }), client);
    await tooLarge.sendHead();
    const tooLargeAnswer = await tooLarge.answered();
    expect(tooLargeAnswer).toMatch(/^HTTP\/1\.1 413 /);
    expect(tooLargeAnswer).toMatch(/\r\nx-ratelimit-remaining: 0\r\n/i);
    expect(refusals[0].body.message).toMatch(/not valid JSON/);

    // Over the limit, a well-formed submission and a malformed one alike are answered 429.
    expect((await submit(behindProxy, client)).status).toBe(429);
    const malformed = await post('application/json', '{"text": ');
    expect(malformed.status).toBe(429);
    expect(Number(malformed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(malformed.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(malformed.body.message).toBe('too many requests from this client: at most 10 per 60 s; try again after the seconds in Retry-After');
  });

  it('refuses a client over its limit before reading its body', async () => {
    const client = { 'x-forwarded-for': '192.0.2.93' };
    for (let n = 0; n < 10; n += 1) expect((await submit(behindProxy, client)).status).toBe(202);
    const halfSent = new HalfSentRequest(BEHIND_PROXY_PORT, JSON.stringify({ abstract: sampleAbstract(7) }), client);
    await halfSent.sendFirstHalf();
    expect(await refusalWithoutTheBody(halfSent)).toMatch(/\r\nx-ratelimit-remaining: 0\r\n/i);
  });

  it('asks a client expecting 100 Continue for its body once its request is counted, and never when it is over its limit', async () => {
    const client = { 'x-forwarded-for': '192.0.2.94' };
    const expecting = { ...client, expect: '100-continue' };
    for (let n = 0; n < 9; n += 1) expect((await submit(behindProxy, client)).status).toBe(202);
    const last = new HalfSentRequest(BEHIND_PROXY_PORT, JSON.stringify({ abstract: sampleAbstract(8) }), expecting);
    await last.sendHead();
    expect(await last.firstStatusLine()).toBe('HTTP/1.1 100 Continue');
    expect(await last.finish()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 /);

    const over = new HalfSentRequest(BEHIND_PROXY_PORT, JSON.stringify({ abstract: sampleAbstract(9) }), expecting);
    await over.sendHead();
    // The body was never asked for: the connection cannot carry another request.
    expect(await refusalWithoutTheBody(over)).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('counts a request refused after the guard has counted it once, not twice', async () => {
    const client = { 'x-forwarded-for': '192.0.2.92' };
    const polls = [];
    for (let n = 0; n < 16; n += 1) polls.push(await request(behindProxy, `/status/${randomUUID()}`, { headers: client }));
    expect(polls.map((answer) => answer.status)).toEqual([...Array(15).fill(404), 429]);
  });
});
