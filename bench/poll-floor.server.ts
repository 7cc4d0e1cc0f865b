/**
 * What `npm run bench:floor` measures the service's polling against: GET /status/:id answering one fixed
 * answer, serialised once as the service serialises a cached finished answer once, with nothing of the
 * service in the way, on plain Fastify (`--framework fastify`) or on Nest's Fastify adapter with one plain
 * controller (`--framework nest`: no guard, interceptor, pipe or bus). Node runs as it runs the service: with
 * the V8 flags npm start gives (bench/lib/servers.ts) and AsyncResource#bind without its deprecated accessor.
 *
 *   ts-node --transpile-only bench/poll-floor.server.ts --framework fastify|nest --port 18401 --answer answer.json
 *
 * `--answer`: a JSON file, the body every poll gets. Prints one line, `<framework> floor listening on http://…`,
 * when ready; SIGTERM or SIGINT closes it.
 */
import 'reflect-metadata';
import { Controller, Get, Header, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { useLeanAsyncResourceBind } from '../src/runtime/lean-async-resource-bind';

const { values } = parseArgs({ options: { framework: { type: 'string' }, port: { type: 'string' }, answer: { type: 'string' } } });
const framework = values.framework;
const port = Number(values.port);
if ((framework !== 'fastify' && framework !== 'nest') || !Number.isInteger(port) || !values.answer) {
  throw new Error('usage: poll-floor.server.ts --framework fastify|nest --port N --answer file.json');
}
useLeanAsyncResourceBind();
const answer = JSON.stringify(JSON.parse(readFileSync(values.answer, 'utf8')));
const JSON_TYPE = 'application/json; charset=utf-8';

@Controller('status')
class FixedStatusController {
  @Get(':id')
  @Header('content-type', JSON_TYPE)
  get(@Param('id') _id: string): string {
    return answer;
  }
}

@Module({ controllers: [FixedStatusController] })
class FixedStatusModule {}

/** The server listening, and how to close it. */
async function listen(): Promise<() => Promise<void>> {
  if (framework === 'fastify') {
    const app = fastify({ logger: false });
    app.get('/status/:id', async (_request, reply) => reply.type(JSON_TYPE).send(answer));
    await app.listen({ port, host: '127.0.0.1' });
    return () => app.close();
  }
  const app = await NestFactory.create<NestFastifyApplication>(FixedStatusModule, new FastifyAdapter(), { logger: false });
  await app.listen(port, '127.0.0.1');
  return () => app.close();
}

void listen().then((close) => {
  const stop = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${framework} floor listening on http://127.0.0.1:${port} (pid ${process.pid})\n`);
});
