import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isRedisUnavailable } from '../redis/redis-connection';
import { ErrorResponseDto } from './error-response.dto';
import { ServiceBusyException } from './service-busy.exception';

const REDIS_OUTAGE_RETRY_AFTER_SECONDS = 5;
/** While Redis is out every request is answered 503, thousands a second: one log line per this long. */
const OUTAGE_REPORT_EVERY_MS = 1_000;

export function errorBody(statusCode: number, message: string): ErrorResponseDto {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
}

/** Nest's answer for a route it does not have names the URL as sent, whose query string may carry a secret. */
const UNKNOWN_ROUTE_QUERY = /^(Cannot [A-Z]+ [^?]*)\?.*$/s;

/** What Node raises on a request whose client closed the connection before sending the whole body. */
function isAbortedByClient(exception: unknown): boolean {
  const { code, message } = (exception ?? {}) as Partial<NodeJS.ErrnoException>;
  return code === 'ECONNRESET' && message === 'aborted';
}

/** Every error leaves in one shape, `{statusCode, error, message}`; internals stay in the log. */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorResponseFilter.name);
  private outageReportedAt = -Infinity;
  private outageAnswersUnreported = 0;

  constructor(private readonly maxTextChars: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (exception instanceof ServiceBusyException) void reply.header('Retry-After', String(exception.retryAfterSeconds));
      void reply.status(status).send(errorBody(status, this.explain(exception)));
      return;
    }
    if (isRedisUnavailable(exception)) {
      this.reportOutage(exception as Error);
      void reply
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .header('Retry-After', String(REDIS_OUTAGE_RETRY_AFTER_SECONDS))
        .send(errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'The service cannot use its queue store (Redis) right now; try again in a few seconds.'));
      return;
    }
    if (isAbortedByClient(exception)) {
      // The client's doing, and nobody is left to read the answer: no error to log, however many clients give up.
      void reply.status(HttpStatus.BAD_REQUEST).send(errorBody(HttpStatus.BAD_REQUEST, 'the connection closed before the request body ended'));
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    void reply.status(HttpStatus.INTERNAL_SERVER_ERROR).send(errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'An internal error occurred; it was logged. Try again later.'));
  }

  private reportOutage(error: Error): void {
    this.outageAnswersUnreported += 1;
    const now = Date.now();
    if (now - this.outageReportedAt < OUTAGE_REPORT_EVERY_MS) return;
    this.logger.warn(`Answering 503: Redis is unavailable (${error.message}); ${this.outageAnswersUnreported} such answer(s) since the last report`);
    this.outageReportedAt = now;
    this.outageAnswersUnreported = 0;
  }

  /**
   * Fastify's own refusals (body too large, unsupported type) reach Nest as a bare HttpException
   * with a terse message; they get one that says what to change.
   */
  private explain(exception: HttpException): string {
    if (exception.constructor === HttpException) {
      if (exception.getStatus() === HttpStatus.PAYLOAD_TOO_LARGE) {
        return `the request body is too large: text is limited to ${this.maxTextChars.toLocaleString('en')} characters (MAX_TEXT_CHARS)`;
      }
      if (exception.getStatus() === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return 'unsupported Content-Type: send application/json, or multipart/form-data with the paper as "file"';
    }
    return messageOf(exception).replace(UNKNOWN_ROUTE_QUERY, '$1');
  }
}
