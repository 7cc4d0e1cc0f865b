/**
 * The bare baseline `npm run bench` compares the service with: the least a server can do for POST /analyze.
 * One plain Fastify 5 process (no Nest, no cluster): parse the JSON body, check `text` is a non-empty string
 * (400 otherwise), add one Bull job (jobId = a random UUID, removeOnComplete) and answer 202 {request_id}.
 * No record, no paper store, no cache, no worker: whatever the service does beyond this is its own cost.
 *
 *   npm run bench:baseline-server -- --port 18951 --redis redis://127.0.0.1:6379/14 [--backlog 8192]
 *
 * Port and Redis also come from PORT / REDIS_URL. Prints one line, `baseline listening on http://…`, when ready;
 * SIGTERM or SIGINT closes the server and the queue.
 */
import Bull from 'bull';
import fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    redis: { type: 'string' },
    backlog: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.PORT ?? 18951);
const host = values.host ?? process.env.HOST ?? '127.0.0.1';
const redisUrl = values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/14';
/** Node's default is 511; the bench passes the service's own backlog (8192) so both meet a connection burst alike. */
const backlog = Number(values.backlog ?? 511);

async function main(): Promise<void> {
  const queue = new Bull('baseline', redisUrl, { prefix: 'rpa:bench-baseline' });
  const app = fastify({ logger: false });

  app.post('/analyze', async (request, reply) => {
    const text = (request.body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.trim() === '') {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'text must be a non-empty string' });
    }
    const requestId = randomUUID();
    await queue.add({ requestId, text }, { jobId: requestId, removeOnComplete: true });
    return reply.code(202).send({ request_id: requestId });
  });

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await app.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void close());
  process.on('SIGINT', () => void close());

  await queue.isReady();
  await app.listen({ port, host, backlog });
  process.stdout.write(`baseline listening on http://${host}:${port} (pid ${process.pid}, Bull queue "baseline" prefix rpa:bench-baseline on ${redisUrl})\n`);
}

main().catch((error) => {
  process.stderr.write(`baseline server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
