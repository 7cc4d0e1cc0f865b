import Groq, {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from 'groq-sdk';
import { PaperDocument } from '../../src/llm/analysis';
import { buildPapersMessage, SYSTEM_PROMPT } from '../../src/llm/groq/paper-prompt';
import { countChatTokens, countTokens } from '../../src/llm/token-counter';
import { FakeGroqServer } from './fake-groq-server';
import { formatGroqDuration } from './groq-duration';
import { RateWindow } from './rate-window';
import { eventually } from '../support/eventually';

const MODEL = 'openai/gpt-oss-120b';
const MAX_COMPLETION_TOKENS = 1_000;

interface AnalysisItemJson {
  id: string;
  title: string;
  summary: unknown;
  key_findings?: string[];
  methodology: string;
  results: string;
  limitations: string[];
  keywords: string[];
}

function paper(index: number): PaperDocument {
  return {
    id: `p${index}`,
    title: `Sparse Widget Networks ${index}`,
    abstract:
      'We study sparse widget networks for document ranking. We show that sparse widgets improve accuracy by 12% ' +
      'over dense baselines. However, the evaluation only covers English corpora.',
    text:
      'Introduction. Widgets are a common building block of ranking systems.\n' +
      'Method. We propose a sparse widget network trained with contrastive widget pairs on three ranking datasets. ' +
      'Results. The sparse widget network reaches 0.81 nDCG, outperforming the dense baseline. ' +
      'Limitations. The approach does not handle multilingual widgets yet.',
  };
}

function papers(count: number): PaperDocument[] {
  return Array.from({ length: count }, (_, index) => paper(index + 1));
}

function messagesFor(documents: PaperDocument[]): { role: 'system' | 'user'; content: string }[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: buildPapersMessage(documents) },
  ];
}

function requestFor(documents: PaperDocument[]) {
  return {
    model: MODEL,
    messages: messagesFor(documents),
    response_format: { type: 'json_object' as const },
    max_completion_tokens: MAX_COMPLETION_TOKENS,
    temperature: 0,
  };
}

function analysesOf(content: string | null | undefined): AnalysisItemJson[] {
  return (JSON.parse(content ?? '') as { analyses: AnalysisItemJson[] }).analyses;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('FakeGroqServer with the real groq-sdk', () => {
  let server: FakeGroqServer;
  let baseUrl: string;
  let client: Groq;

  function clientWith(options: { apiKey?: string; timeout?: number } = {}): Groq {
    return new Groq({ apiKey: options.apiKey ?? 'test-key', baseURL: baseUrl, maxRetries: 0, timeout: options.timeout ?? 5_000 });
  }

  beforeEach(async () => {
    server = new FakeGroqServer();
    ({ baseUrl } = await server.start());
    client = clientWith();
  });

  afterEach(async () => {
    await server.stop();
  });

  describe('answers', () => {
    it('returns one analysis per paper, by id, in a Groq-shaped completion', async () => {
      const documents = papers(3);
      const completion = await client.chat.completions.create(requestFor(documents));

      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe(MODEL);
      expect(typeof completion.created).toBe('number');
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant' } });
      expect((completion as unknown as { x_groq: { id: string } }).x_groq.id).toMatch(/^req_/);

      const analyses = analysesOf(completion.choices[0].message.content);
      expect(analyses.map((item) => item.id)).toEqual(['p1', 'p2', 'p3']);
      for (const [index, item] of analyses.entries()) {
        expect(item.title).toBe(`Sparse Widget Networks ${index + 1}`);
        expect(typeof item.summary).toBe('string');
        expect(item.summary).toContain('We study sparse widget networks');
        expect(item.key_findings?.length).toBeGreaterThanOrEqual(3);
        expect(item.key_findings?.length).toBeLessThanOrEqual(6);
        expect(item.methodology).toContain('We propose');
        expect(item.results).toMatch(/\d/);
        expect(Array.isArray(item.limitations)).toBe(true);
        expect(item.keywords.length).toBeGreaterThanOrEqual(4);
        expect(item.keywords).toContain('widget');
      }
    });

    it('counts usage with the shared token counter', async () => {
      const request = requestFor(papers(2));
      const completion = await client.chat.completions.create(request);
      const content = completion.choices[0].message.content ?? '';
      const usage = completion.usage as unknown as Record<string, number>;

      expect(usage.prompt_tokens).toBe(countChatTokens(request.messages));
      expect(usage.completion_tokens).toBe(countTokens(content));
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
      for (const timing of ['prompt_time', 'completion_time', 'total_time']) {
        expect(typeof usage[timing]).toBe('number');
      }
      expect(server.stats()).toMatchObject({
        calls: 1,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        papers: 2,
        papers_answered: 2,
      });
    });

    it('accepts a json_schema response format and answers deterministically', async () => {
      const documents = papers(2);
      const request = {
        ...requestFor(documents),
        response_format: {
          type: 'json_schema' as const,
          json_schema: { name: 'paper_analyses', schema: { type: 'object' }, strict: true },
        },
      };
      const first = await client.chat.completions.create(request);
      const second = await client.chat.completions.create({ ...request, messages: messagesFor(documents) });
      expect(first.choices[0].message.content).toBe(second.choices[0].message.content);
    });

    it('reports Groq rate-limit headers on a 200 (requests per day, tokens per minute)', async () => {
      server.configure({ rpd: 100, tpm: 50_000 });
      const request = requestFor(papers(1));
      const { response } = await client.chat.completions.create(request).withResponse();
      const reserved = countChatTokens(request.messages) + MAX_COMPLETION_TOKENS;

      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('50000');
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(50_000 - reserved));
      expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+m)?\d+(\.\d+)?s$/);
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d+)?s$/);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(server.stats().limit_tokens).toBe(reserved);
    });

    it('reports a large limit when a limit is unlimited', async () => {
      const { response } = await client.chat.completions.create(requestFor(papers(1))).withResponse();
      expect(Number(response.headers.get('x-ratelimit-limit-requests'))).toBeGreaterThanOrEqual(1_000_000);
      expect(Number(response.headers.get('x-ratelimit-limit-tokens'))).toBeGreaterThanOrEqual(1_000_000);
    });

    it('waits latencyMs before answering', async () => {
      server.configure({ latencyMs: 150 });
      const started = Date.now();
      await client.chat.completions.create(requestFor(papers(1)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });
  });

  describe('refusals', () => {
    it('answers 401 without an API key, which groq-sdk raises as AuthenticationError', async () => {
      const error = await failureOf(clientWith({ apiKey: '' }).chat.completions.create(requestFor(papers(1))));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
      expect((error as AuthenticationError).error).toEqual({
        error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      expect(server.stats().calls).toBe(1);
    });

    it('answers 400 when the request carries no paper blocks', async () => {
      const error = await failureOf(
        client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({ error: { type: 'invalid_request_error' } });
    });

    it('refuses over the RPM limit with 429, retry-after and a Groq body', async () => {
      server.configure({ rpm: 2 });
      await client.chat.completions.create(requestFor(papers(1)));
      await client.chat.completions.create(requestFor(papers(1)));
      const error = await failureOf(client.chat.completions.create(requestFor(papers(1))));

      expect(error).toBeInstanceOf(RateLimitError);
      const rateLimit = error as RateLimitError;
      expect(rateLimit.status).toBe(429);
      const retryAfter = Number(rateLimit.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(59);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(rateLimit.headers.get('x-ratelimit-remaining-tokens')).not.toBeNull();
      expect(rateLimit.error).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
      expect(rateLimit.message).toContain(
        `Rate limit reached for model \`${MODEL}\` in organization \`org_fake\` service tier \`on_demand\` ` +
          'on requests per minute (RPM): Limit 2, Used 2, Requested 1. Please try again in',
      );
      expect(server.stats()).toMatchObject({ calls: 3, rate_limited: 1 });
      expect(server.stats().call_log.map((entry) => entry.status)).toEqual([200, 200, 429]);
    });

    it('refuses over the TPM limit, counting prompt tokens plus max_completion_tokens', async () => {
      const request = requestFor(papers(1));
      const reserved = countChatTokens(request.messages) + MAX_COMPLETION_TOKENS;
      server.configure({ tpm: Math.floor(reserved * 1.5) });
      await client.chat.completions.create(request);
      const error = await failureOf(client.chat.completions.create(request));

      expect(error).toBeInstanceOf(RateLimitError);
      const rateLimit = error as RateLimitError;
      expect(Number(rateLimit.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(rateLimit.error).toMatchObject({ error: { type: 'tokens', code: 'rate_limit_exceeded' } });
      expect(rateLimit.message).toContain(
        `on tokens per minute (TPM): Limit ${Math.floor(reserved * 1.5)}, Used ${reserved}, Requested ${reserved}.`,
      );
    });

    it('answers 413 when one request alone exceeds the TPM limit', async () => {
      server.configure({ tpm: 100 });
      const error = await failureOf(client.chat.completions.create(requestFor(papers(1))));
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(413);
      expect((error as APIError).message).toContain('Request too large');
    });

    it('refuses over the RPD limit and reports it in the -requests headers', async () => {
      server.configure({ rpd: 1 });
      await client.chat.completions.create(requestFor(papers(1)));
      const error = (await failureOf(client.chat.completions.create(requestFor(papers(1))))) as RateLimitError;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.headers.get('x-ratelimit-limit-requests')).toBe('1');
      expect(error.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(error.message).toContain('requests per day (RPD)');
    });
  });

  describe('faults', () => {
    it('server_error answers 500', async () => {
      server.queueFaults(['server_error']);
      const error = await failureOf(client.chat.completions.create(requestFor(papers(1))));
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as InternalServerError).status).toBe(500);
    });

    it('unavailable answers 503', async () => {
      server.queueFaults(['unavailable']);
      const error = await failureOf(client.chat.completions.create(requestFor(papers(1))));
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as InternalServerError).status).toBe(503);
    });

    it('malformed_json answers 200 with content that is not JSON', async () => {
      server.queueFaults(['malformed_json']);
      const completion = await client.chat.completions.create(requestFor(papers(2)));
      expect(() => JSON.parse(completion.choices[0].message.content ?? '')).toThrow();
    });

    it('json_validate_failed answers 400 with the code Groq gives an answer that is not valid JSON', async () => {
      server.queueFaults(['json_validate_failed']);
      const error = await failureOf(client.chat.completions.create(requestFor(papers(2))));
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({ error: { code: 'json_validate_failed' } });
    });

    it('missing_item leaves out the last paper', async () => {
      server.queueFaults(['missing_item']);
      const completion = await client.chat.completions.create(requestFor(papers(3)));
      expect(analysesOf(completion.choices[0].message.content).map((item) => item.id)).toEqual(['p1', 'p2']);
    });

    it('invalid_item breaks the schema of one item', async () => {
      server.queueFaults(['invalid_item']);
      const completion = await client.chat.completions.create(requestFor(papers(2)));
      const [broken, intact] = analysesOf(completion.choices[0].message.content);
      expect(typeof broken.summary).toBe('number');
      expect(broken.key_findings).toBeUndefined();
      expect(typeof intact.summary).toBe('string');
    });

    it('rate_limited answers 429 with the configured retry-after', async () => {
      server.queueFaults(['rate_limited']);
      const first = (await failureOf(client.chat.completions.create(requestFor(papers(1))))) as RateLimitError;
      expect(first).toBeInstanceOf(RateLimitError);
      expect(first.headers.get('retry-after')).toBe('2');

      server.configure({ retryAfterSeconds: 7 });
      server.queueFaults(['rate_limited']);
      const second = (await failureOf(client.chat.completions.create(requestFor(papers(1))))) as RateLimitError;
      expect(second.headers.get('retry-after')).toBe('7');
      expect(server.stats()).toMatchObject({ rate_limited: 2, faults: 2 });
    });

    it('timeout never answers: the client gives up', async () => {
      server.queueFaults(['timeout']);
      const started = Date.now();
      const error = await failureOf(clientWith({ timeout: 300 }).chat.completions.create(requestFor(papers(1))));
      // Plain Node gets APIConnectionTimeoutError. Under jest's sandbox, fetch's AbortError is a DOMException from
      // another realm, so groq-sdk cannot recognise it and raises its parent class, APIConnectionError.
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      await eventually(() => server.openHeldRequests(), (held) => held === 0, 2_000, 10);
      expect(server.stats()).toMatchObject({ calls: 1, faults: 1, faults_by_kind: { timeout: 1 } });
      expect(server.stats().call_log[0]).toMatchObject({ status: 0, fault: 'timeout' });
    });

    it('stalled_body sends the headers and then stalls: only a deadline that covers the body ends the call', async () => {
      server.queueFaults(['stalled_body']);
      const started = Date.now();
      const error = await failureOf(clientWith({ timeout: 60_000 }).chat.completions.create(requestFor(papers(1)), { signal: AbortSignal.timeout(300) }));
      // Raised by fetch while the body was read, where groq-sdk does not wrap errors.
      expect((error as Error).name).toBe('AbortError');
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      await eventually(() => server.openHeldRequests(), (held) => held === 0, 2_000, 10);
      expect(server.stats().call_log[0]).toMatchObject({ status: 200, fault: 'stalled_body' });
    });

    it('consumes queued faults one per request, then answers normally', async () => {
      server.queueFaults(['server_error', 'missing_item']);
      await expect(client.chat.completions.create(requestFor(papers(2)))).rejects.toBeInstanceOf(InternalServerError);
      const degraded = await client.chat.completions.create(requestFor(papers(2)));
      expect(analysesOf(degraded.choices[0].message.content)).toHaveLength(1);
      const healthy = await client.chat.completions.create(requestFor(papers(2)));
      expect(analysesOf(healthy.choices[0].message.content)).toHaveLength(2);
      expect(server.queuedFaults()).toEqual([]);
    });

    it('injects faults at faultRate from faultKinds', async () => {
      server.configure({ faultRate: 1, faultKinds: ['unavailable'] });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await expect(client.chat.completions.create(requestFor(papers(1)))).rejects.toBeInstanceOf(InternalServerError);
      }
      server.configure({ faultRate: 0 });
      await client.chat.completions.create(requestFor(papers(1)));
      expect(server.stats()).toMatchObject({ calls: 4, faults: 3, faults_by_kind: { unavailable: 3 } });
    });

    it('rejects unknown fault kinds and bad option values', () => {
      expect(() => server.queueFaults(['nope' as never])).toThrow(/unknown fault kind/);
      expect(() => server.configure({ faultRate: 2 })).toThrow(/faultRate/);
      expect(() => server.configure({ rpm: -1 })).toThrow(/rpm/);
    });
  });

  describe('stats, control API and lifecycle', () => {
    it('counts calls, tokens, 429s and faults, logs calls, and resets', async () => {
      server.configure({ rpm: 2 });
      server.queueFaults(['server_error']);
      await failureOf(client.chat.completions.create(requestFor(papers(2))));
      await client.chat.completions.create(requestFor(papers(3)));
      await client.chat.completions.create(requestFor(papers(1)));
      await failureOf(client.chat.completions.create(requestFor(papers(1))));

      const stats = server.stats();
      expect(stats).toMatchObject({ calls: 4, rate_limited: 1, faults: 1, papers: 7, papers_answered: 4 });
      expect(stats.requests_by_batch_size).toEqual({ '1': 2, '2': 1, '3': 1 });
      expect(stats.call_log.map((entry) => [entry.papers, entry.status])).toEqual([
        [2, 500],
        [3, 200],
        [1, 200],
        [1, 429],
      ]);
      expect(stats.prompt_tokens).toBeGreaterThan(0);

      server.reset();
      expect(server.stats()).toMatchObject({ calls: 0, prompt_tokens: 0, rate_limited: 0, faults: 0, call_log: [] });
      await client.chat.completions.create(requestFor(papers(1)));
      expect(server.stats().calls).toBe(1);
    });

    it('serves GET /stats, POST /control and POST /reset over HTTP', async () => {
      const control = await fetch(`${baseUrl}/control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rpm: 1, queueFaults: ['missing_item'], retryAfterSeconds: 3 }),
      });
      expect(control.status).toBe(200);
      expect(await control.json()).toMatchObject({ options: { rpm: 1, retryAfterSeconds: 3 }, queued_faults: ['missing_item'] });
      expect(server.options().rpm).toBe(1);

      await client.chat.completions.create(requestFor(papers(2)));
      const stats = (await (await fetch(`${baseUrl}/stats`)).json()) as { calls: number; call_log: unknown[] };
      expect(stats).toMatchObject({ calls: 1, faults: 1 });
      expect(stats.call_log).toHaveLength(1);

      const bad = await fetch(`${baseUrl}/control`, { method: 'POST', body: JSON.stringify({ faultKinds: ['nope'] }) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

      expect((await fetch(`${baseUrl}/reset`, { method: 'POST' })).status).toBe(200);
      expect(server.stats().calls).toBe(0);
      await client.chat.completions.create(requestFor(papers(1)));
    });

    it('stop() returns promptly while a timeout fault holds a request', async () => {
      server.queueFaults(['timeout']);
      const pending = failureOf(clientWith({ timeout: 30_000 }).chat.completions.create(requestFor(papers(1))));
      await eventually(() => server.stats().calls, (calls) => calls === 1, 2_000, 10);

      const started = Date.now();
      await server.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await pending).toBeInstanceOf(APIConnectionError);
    });

    it('stop() returns promptly while a latency delay is pending', async () => {
      server.configure({ latencyMs: 30_000 });
      const pending = failureOf(clientWith({ timeout: 60_000 }).chat.completions.create(requestFor(papers(1))));
      await eventually(() => server.stats().calls, (calls) => calls === 1, 2_000, 10);
      const started = Date.now();
      await server.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await pending).toBeInstanceOf(APIConnectionError);
    });

    it('listens on the port it is given, and start() and stop() are idempotent', async () => {
      const probe = new FakeGroqServer();
      const { port } = await probe.start();
      await probe.stop();

      const fixed = new FakeGroqServer({ port });
      const started = await fixed.start();
      expect(started).toEqual({ port, baseUrl: `http://127.0.0.1:${port}` });
      expect(await fixed.start()).toEqual(started);
      await fixed.stop();
      await fixed.stop();
    });
  });
});

describe('RateWindow', () => {
  it('says how long until an amount fits, from the entries that must expire', () => {
    const window = new RateWindow(60_000);
    window.add(300, 0);
    window.add(500, 10_000);
    expect(window.used(20_000)).toBe(800);
    expect(window.waitFor(200, 1_000, 20_000)).toBe(0);
    expect(window.waitFor(400, 1_000, 20_000)).toBe(40_000);
    expect(window.waitFor(700, 1_000, 20_000)).toBe(50_000);
    expect(window.waitFor(1_001, 1_000, 20_000)).toBe(Infinity);
    expect(window.untilEmpty(20_000)).toBe(50_000);
    expect(window.used(60_000)).toBe(500);
    expect(window.used(70_000)).toBe(0);
  });
});

describe('formatGroqDuration', () => {
  it('writes durations like Groq headers', () => {
    expect(formatGroqDuration(0)).toBe('0s');
    expect(formatGroqDuration(450)).toBe('450ms');
    expect(formatGroqDuration(7_660)).toBe('7.66s');
    expect(formatGroqDuration(179_560)).toBe('2m59.56s');
    expect(formatGroqDuration(3_600_000)).toBe('1h0m0s');
    expect(formatGroqDuration(2_500, 1)).toBe('2.5s');
  });
});
