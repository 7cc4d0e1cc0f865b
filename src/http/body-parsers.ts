import { BadRequestException } from '@nestjs/common';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { MAX_ABSTRACT_CHARS } from '../analysis/commands/analyze-paper/analyze-paper.request';

/** UTF-8 takes at most four bytes a character, so a field this long can hold the longest abstract. */
const MAX_FIELD_BYTES = MAX_ABSTRACT_CHARS * 4;
/** title and abstract, plus room for a stray field to be named in a 400 rather than cut off by a 413. */
const MAX_FIELDS = 4;
const MAX_PARTS = MAX_FIELDS + 1;
const MAX_PART_HEADERS = 20;

const BYTE_ORDER_MARK = 0xfeff;
/** V8 quotes the start of the text it could not parse: a paper's words, which belong in no answer. */
const QUOTED_BODY = /, (?:\.\.\.)?".*is not valid JSON$/s;

/**
 * The bodies the API reads: JSON, and multipart/form-data carrying one uploaded document of at most
 * `maxUploadBytes`. Any other content type is answered 415 by Fastify, broken JSON 400 with the
 * parser's own words. Multipart parts are read by the route, as a stream, within these limits.
 */
export function registerBodyParsers(fastify: FastifyInstance, maxUploadBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      const text = body as string;
      // A byte-order mark, which JSON forbids writers to add and lets readers ignore (RFC 8259, 8.1).
      done(null, JSON.parse(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text));
    } catch (error) {
      done(new BadRequestException(`the body is not valid JSON: ${(error as Error).message.replace(QUOTED_BODY, '')}`), undefined);
    }
  });
  void fastify.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: maxUploadBytes,
      files: 1,
      fields: MAX_FIELDS,
      fieldSize: MAX_FIELD_BYTES,
      parts: MAX_PARTS,
      headerPairs: MAX_PART_HEADERS,
    },
  });
}
