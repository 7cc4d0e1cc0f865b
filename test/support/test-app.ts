import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { configureHttpApp } from '../../src/http/configure-http-app';
import { createFastifyAdapter } from '../../src/http/create-fastify-adapter';
import { FakeGroqServer } from '../fakes/fake-groq-server';

/** Each e2e suite owns one Redis database of the Redis on 6379, emptied when the suite starts. */
export const redisUrlForDatabase = (database: number) => `redis://127.0.0.1:6379/${database}`;

export async function emptyDatabase(database: number): Promise<void> {
  const redis = new Redis(redisUrlForDatabase(database));
  await redis.flushdb();
  await redis.quit();
}

export interface RunningApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real app on Fastify, listening on a random port, configured as main.ts configures it. */
export async function startApp(database: number, environment: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadAppConfig({ REDIS_URL: redisUrlForDatabase(database), LOG_LEVEL: 'silent', ...environment });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), { logger: false, bodyParser: false });
  configureHttpApp(app, config);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  await app.getHttpAdapter().getInstance().ready();
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** The app with its groq adapter pointed at `groq` (started here); closing it stops both. */
export async function startAppWithFakeGroq(database: number, groq: FakeGroqServer, environment: Record<string, string> = {}): Promise<RunningApp> {
  await emptyDatabase(database);
  const { baseUrl } = await groq.start();
  const running = await startApp(database, {
    GROQ_API_KEY: 'gsk_test_key',
    GROQ_BASE_URL: baseUrl,
    BATCH_SIZE: '8',
    BATCH_TIMEOUT_MS: '100',
    // Limits the tests never reach, unless a test sets its own.
    LLM_RPM: '100000',
    LLM_TPM: '100000000',
    LLM_RPD: '100000000',
    ...environment,
  });
  return {
    ...running,
    close: async () => {
      await running.close();
      await groq.stop();
    },
  };
}
