import { HttpStatus } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../common/error-response.filter';

/** The router's limit on one path segment; ids and every other segment the API takes are far shorter. */
export const MAX_PATH_SEGMENT_CHARS = 100;

function explain(error: FastifyError): string {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return `a path segment is longer than ${MAX_PATH_SEGMENT_CHARS} characters: no route takes one that long`;
  if (error.code === 'FST_ERR_BAD_URL') return 'the URL is not valid: a % must begin an escape such as %20';
  return 'the request cannot be routed';
}

/**
 * The errors Fastify's router answers before any route or Nest filter runs (a malformed percent escape, an
 * overlong path segment), in the API's error shape: a 400 with a message, not Fastify's own body that
 * echoes the path and names its internal code.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(HttpStatus.BAD_REQUEST).send(errorBody(HttpStatus.BAD_REQUEST, explain(error)));
}
