import { ServiceUnavailableException } from '@nestjs/common';

/** The service is at capacity for this kind of work right now; the answer says when to try again (Retry-After). */
export class ServiceBusyException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
