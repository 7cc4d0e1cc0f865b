import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * JSON is the only body the API reads for now: any other content type is answered 415 by Fastify,
 * and broken JSON 400 with the parser's own words.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(new BadRequestException(`the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
