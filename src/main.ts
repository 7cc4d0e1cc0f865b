import { ConsoleLogger, LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { AppConfig, loadAppConfig } from './config/app-config';
import { LogLevel } from './config/environment';
import { configureHttpApp } from './http/configure-http-app';
import { createFastifyAdapter } from './http/create-fastify-adapter';
import { ExtraAcceptors } from './http/extra-acceptors';
import { assertRedisReachable } from './redis/assert-redis-reachable';
import { useLeanAsyncResourceBind } from './runtime/lean-async-resource-bind';

/** Room for connection bursts while the process is busy; the kernel caps it at net.core.somaxconn. */
const LISTEN_BACKLOG = 8_192;

const NEST_LEVELS: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const LEVEL_INDEX: Record<LogLevel, number> = { silent: -1, fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({ prefix: `analyzer-${config.role}`, logLevels: NEST_LEVELS.slice(0, LEVEL_INDEX[config.logLevel] + 1) });
}

async function startWorker(config: AppConfig, logger: ConsoleLogger): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  logger.log(`Worker started (${config.llm.provider} analyser, batches of up to ${config.batching.size})`);
}

async function startApi(config: AppConfig, logger: ConsoleLogger): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createFastifyAdapter(config), { logger, bodyParser: false });
  configureHttpApp(app, config);
  app.enableShutdownHooks();
  const acceptors = new ExtraAcceptors(app.getHttpServer(), LISTEN_BACKLOG);
  acceptors.takeOffers();
  app
    .getHttpAdapter()
    .getInstance()
    // No new connection through the extra descriptors once closing starts; and since these hooks are added
    // before listen, Fastify's own close of the HTTP server runs before the onClose hook, which then waits for
    // the connections those descriptors accepted.
    .addHook('preClose', async () => void acceptors.close())
    .addHook('onClose', () => acceptors.close());
  await app.listen({ port: config.http.port, host: config.http.host, backlog: LISTEN_BACKLOG });
  logger.log(`Listening on http://${config.http.host}:${config.http.port} as ${config.role} (${config.llm.provider} analyser); API docs at /docs`);
}

async function bootstrap(): Promise<void> {
  useLeanAsyncResourceBind();
  let config: AppConfig;
  try {
    config = loadAppConfig();
    await assertRedisReachable(config.redis.url);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config);
  await (config.role === 'worker' ? startWorker(config, logger) : startApi(config, logger));
}

void bootstrap();
