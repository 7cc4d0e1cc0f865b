import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';

/** Bodies smaller than this are read as they come; larger ones must keep arriving, within the process's budget. */
export const WATCHED_FROM_BYTES = 16 * 1024;
/** The slowest uplink a body must get through, as for the whole request's timeout (1 Mbit/s) ... */
const MIN_BYTES_PER_SECOND = 125_000;
/** ... once this long has passed, for a slow start. */
const GRACE_MS = 10_000;
const CHECK_EVERY_MS = 1_000;

/** An eighth of the heap: a JSON body is held as a string while it arrives, and parsed into as much again. */
export const bodyBudgetFor = (largestBodyBytes: number): number => Math.max(largestBodyBytes, Math.floor(getHeapStatistics().heap_size_limit / 8));

interface ArrivingBody {
  request: IncomingMessage;
  startedAt: number;
  socketBytesBefore: number;
}

/**
 * Bounds what request bodies on their way in can hold of one process. A client may declare a body of up to the
 * body limit and then send it slowly or not at all; Node holds each until the request's timeout (minutes, for
 * uploads), so enough such bodies would exhaust the heap, or the upload places. Bodies of WATCHED_FROM_BYTES
 * or more count their declared size against a budget while they are received and handled, and one that does
 * not fit is refused; and each must arrive at the slowest rate the request timeout allows all along, not only
 * by its end, or its connection is timed out.
 */
export class LargeBodies {
  private reservedBytes = 0;
  private readonly arriving = new Set<ArrivingBody>();
  private checks: NodeJS.Timeout | undefined;

  constructor(
    private readonly budgetBytes: number,
    private readonly tooSlow: (request: IncomingMessage) => void,
  ) {}

  /** Before a body is read: false if it does not fit the budget. `maxBytes` is the most a body of its kind may carry. */
  admit(request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
    const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
    if (length === undefined && chunked === undefined) return true;
    const bytes = Math.min(length === undefined ? maxBytes : Number(length), maxBytes);
    // A malformed length (NaN) is Fastify's to refuse.
    // A client gone already (while the throttle counted it, say) sends no body, and its response may never close.
    if (!(bytes >= WATCHED_FROM_BYTES) || response.closed || request.socket.destroyed) return true;
    if (this.reservedBytes + bytes > this.budgetBytes) return false;
    this.reservedBytes += bytes;
    const body: ArrivingBody = { request, startedAt: Date.now(), socketBytesBefore: request.socket.bytesRead };
    this.arriving.add(body);
    const { socket } = request;
    // Whichever comes first: a response queued behind another on its connection never closes if the connection dies.
    const release = () => {
      response.off('close', release);
      socket.off('close', release);
      this.reservedBytes -= bytes;
      this.arriving.delete(body);
    };
    response.once('close', release);
    socket.once('close', release);
    this.checks ??= setInterval(() => this.checkRates(), CHECK_EVERY_MS).unref();
    return true;
  }

  private checkRates(): void {
    const now = Date.now();
    for (const body of this.arriving) {
      const { request, startedAt, socketBytesBefore } = body;
      const due = (MIN_BYTES_PER_SECOND * (now - startedAt - GRACE_MS)) / 1000;
      // Its reservation stays until the answer: the parsed body is held while the request is handled.
      if (request.complete) this.arriving.delete(body);
      else if (request.socket.bytesRead - socketBytesBefore < due) {
        this.arriving.delete(body);
        this.tooSlow(request);
      }
    }
    if (this.arriving.size === 0) {
      clearInterval(this.checks);
      this.checks = undefined;
    }
  }
}
