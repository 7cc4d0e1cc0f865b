import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/** The HTTP server every API process runs: body limit matched to MAX_TEXT_CHARS, random request ids. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes, genReqId: () => randomUUID() });
}
