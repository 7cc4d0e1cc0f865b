import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiServiceUnavailableResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

/** The reasons a route may answer 503, as the API documentation words them. */
export const UNAVAILABLE_BECAUSE = {
  redis: 'Redis is unreachable, leaves a command unanswered for 5 s or refuses commands for a while (out of memory, read-only, loading)',
  processFull: 'this process already holds as many waiting requests as it lets wait',
  uploadsFull: 'this process is reading as many uploads as it holds at once',
  bodiesFull: 'this process is receiving as many large request bodies as its memory allows at once',
  stopping: 'this process began to stop more than 5 s before it could serve the request',
} as const;

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } };

const RATE_LIMIT_HEADERS = {
  ...RETRY_AFTER,
  'X-RateLimit-Limit': { description: 'Requests this client may make in the window', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window frees a place', schema: { type: 'integer' } },
};

/** The 503 of a route, for the given reasons, with its Retry-After. */
export const ApiUnavailableResponse = (...reasons: string[]) =>
  ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: `${reasons.join('; or ')}; retry after Retry-After seconds`, headers: RETRY_AFTER });

/**
 * A route throttled per client: the optional key header that makes the client a key rather than an address,
 * and the 429 with Retry-After and the rate-limit headers, for the given reasons.
 */
export const ApiThrottled = (...reasons: string[]) =>
  applyDecorators(
    ApiHeader({
      name: 'X-API-Key',
      required: false,
      description: 'One of API_KEYS, if you have one: the client is then throttled by its key rather than by its address',
    }),
    ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: `${reasons.join('; or ')}; retry after Retry-After seconds`, headers: RATE_LIMIT_HEADERS }),
  );
