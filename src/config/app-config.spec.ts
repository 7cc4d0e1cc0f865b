import os from 'node:os';
import { ConfigError, loadAppConfig } from './app-config';

describe('loadAppConfig', () => {
  it('applies the documented defaults and picks the offline analyser without a key', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({
      role: 'all',
      http: { port: 8000, maxTextChars: 400_000 },
      upload: { maxBytes: 20 * 1024 * 1024, pdfTimeoutMs: 10_000 },
      redis: { url: 'redis://127.0.0.1:6379' },
      llm: {
        provider: 'offline',
        groq: { model: 'openai/gpt-oss-120b', timeoutMs: 60_000 },
        attempts: 3,
        limits: { requestsPerMinute: 30, tokensPerMinute: 8_000, requestsPerDay: 1_000 },
      },
      batching: { size: 16, timeoutMs: 120, maxTokens: 6_000 },
      cache: { ttlSeconds: 3600 },
      retention: { resultTtlSeconds: 604_800 },
    });
    expect(config.http.bodyLimitBytes).toBeGreaterThan(400_000 * 4);
  });

  it('picks groq when a key is set, and any model name', () => {
    const config = loadAppConfig({ GROQ_API_KEY: 'gsk_x', GROQ_MODEL: 'some/new-model', GROQ_BASE_URL: 'http://127.0.0.1:9100' });
    expect(config.llm).toMatchObject({ provider: 'groq', groq: { apiKey: 'gsk_x', model: 'some/new-model', baseUrl: 'http://127.0.0.1:9100' } });
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be an integer number (got "eighty")'],
    [{ APP_ROLE: 'both' }, 'Invalid configuration: APP_ROLE must be one of the following values: all, api, worker (got "both")'],
    [{ REDIS_URL: 'http://user:pw@host' }, 'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL (got "http://***@host")'],
    [{ BATCH_SIZE: '0', CACHE_TTL: '-1' }, 'Invalid configuration: BATCH_SIZE must not be less than 1 (got "0"); CACHE_TTL must not be less than 1 (got "-1")'],
    [{ LLM_TPM: '3000' }, 'Invalid configuration: LLM_TPM must not be less than 4000 (got "3000")'],
    [{ LLM_PROVIDER: 'groq' }, 'GROQ_API_KEY is required when LLM_PROVIDER=groq (or unset LLM_PROVIDER to use the offline analyser)'],
  ])('stops on %j with one line naming the variable', (environment, message) => {
    expect(() => loadAppConfig(environment)).toThrow(new ConfigError(message));
  });

  it('runs one API process per core by default, up to the 256 it accepts', () => {
    const cores = jest.spyOn(os, 'availableParallelism').mockReturnValue(2);
    try {
      expect(loadAppConfig({}).processes).toEqual({ api: 2, workers: 1 });
      cores.mockReturnValue(384);
      expect(loadAppConfig({}).processes).toEqual({ api: 256, workers: 1 });
    } finally {
      cores.mockRestore();
    }
  });

  it('treats an empty value as unset', () => {
    expect(loadAppConfig({ PORT: '', WORKER_CONCURRENCY: ' ', WEB_CONCURRENCY: '3' }).processes).toEqual({ api: 3, workers: 1 });
    expect(loadAppConfig({ PORT: '' }).http.port).toBe(8000);
  });

  it('lets LLM_PROVIDER=offline win over a key', () => {
    expect(loadAppConfig({ GROQ_API_KEY: 'gsk_x', LLM_PROVIDER: 'offline' }).llm.provider).toBe('offline');
  });
});
