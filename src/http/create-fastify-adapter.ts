import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { schemaErrorMessage } from './schema-error-message';

/** Longer than the 60 s idle timeout of common load balancers, so the balancer, not us, closes idle sockets. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** A client gets this long to send a whole request (headers and body), which bounds slow-sending sockets. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The HTTP server every API process runs: body limit matched to MAX_TEXT_CHARS, random request ids. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: () => randomUUID(),
    trustProxy: config.http.trustProxy,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Route schemas report every bad field and never turn a number into the string a field asks for.
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
    schemaErrorFormatter: schemaErrorMessage,
  });
}
