import { BadRequestException } from '@nestjs/common';
import type { FastifySchemaValidationError } from 'fastify/types/schema';

function problem(error: FastifySchemaValidationError): string {
  const params = error.params as { type?: string; limit?: number };
  switch (error.keyword) {
    case 'type':
      return `must be ${params.type === 'object' || params.type === 'array' ? 'an' : 'a'} ${params.type}`;
    case 'maxLength':
      return `must be at most ${params.limit?.toLocaleString('en')} characters`;
    default:
      return error.message ?? 'is not valid';
  }
}

/** Fastify's schema errors as one 400 whose message names each bad field: "title must be at most 1,000 characters". */
export function schemaErrorMessage(errors: FastifySchemaValidationError[], dataVar: string): BadRequestException {
  const messages = errors.map((error) => `${error.instancePath.slice(1).replace(/\//g, '.') || dataVar} ${problem(error)}`);
  return new BadRequestException([...new Set(messages)].join('; '));
}
