import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** How often a new cohort of requests starts, and how many of the latest cohorts count as in flight. */
export interface AdmissionTiming {
  cohortMs: number;
  countedCohorts: number;
}

/** A request stops counting against the limit after about a second, whatever it is still waiting for. */
const DEFAULT_TIMING: AdmissionTiming = { cohortMs: 250, countedCohorts: 4 };

/** A 503 in the API's error shape, written here because the request never reaches the application. */
function refuse(response: ServerResponse, why: string): void {
  const body = JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: `${why}; retry after Retry-After seconds` });
  response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', connection: 'close' }).end(body);
}

const STOPPING = 'this process is stopping';

/** The requests admitted during one cohort period that have not finished, while they still count. */
interface Cohort {
  unfinished: number;
  counted: boolean;
}

/**
 * Lets at most `limit` requests of this process be handled at once; the others wait, in arrival order,
 * as parsed requests, until one finishes. `exempt` requests (probes) never wait.
 *
 * Why: with 10,000 connections, one turn of the event loop reads thousands of requests, and every one
 * of them is being handled when the next scavenge of the young generation runs, so the scavenger copies
 * and promotes the tens of kilobytes each has allocated. Handled a few hundred at a time, they finish
 * between scavenges and die young; a waiting request holds only its parsed headers.
 *
 * A request counts for about a second at most (`timing`): a slow upload or a client sending its body a
 * byte at a time cannot hold the way shut for others.
 *
 * At most `maxWaiting` requests wait; the next are answered 503 (after any answers due before them on their
 * connection), and their connections closed. A connection holds one request at a time unless its client
 * pipelines them, and Node goes on reading a pipelining connection as long as nothing is waiting to be sent
 * on it: without the bound, one client could make this process hold any number of parsed requests.
 *
 * When the process stops, the requests waiting are still served, for as long as `stopWaitingAfter` says:
 * those left then are answered 503, so that stopping ends even when requests are slow to finish.
 */
export class RequestAdmission {
  private running = 0;
  private readonly waiting: Array<[IncomingMessage, ServerResponse]> = [];
  private readonly cohorts: Cohort[] = [{ unfinished: 0, counted: true }];
  private readonly timer: NodeJS.Timeout;
  private stopping = false;
  private stopTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
    private readonly listener: RequestListener,
    private readonly exempt: (request: IncomingMessage) => boolean,
    private readonly timing: AdmissionTiming = DEFAULT_TIMING,
  ) {
    this.timer = setInterval(() => this.startCohort(), timing.cohortMs).unref();
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (this.exempt(request)) this.listener(request, response);
    else if (this.running < this.limit) this.admit(request, response);
    else if (!this.stopping && this.waiting.length < this.maxWaiting) this.waiting.push([request, response]);
    else refuse(response, this.stopping ? STOPPING : `this process already holds ${this.waiting.length} requests waiting for their turn`);
  };

  /** In `ms`, answers 503 to the requests still waiting, and to any that would wait from then on. */
  stopWaitingAfter(ms: number): void {
    this.stopTimer ??= setTimeout(() => {
      this.stopping = true;
      for (const [, response] of this.waiting.splice(0)) refuse(response, STOPPING);
    }, ms).unref();
  }

  /** Requests waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.stopTimer);
  }

  private admit(request: IncomingMessage, response: ServerResponse): void {
    const cohort = this.cohorts[this.cohorts.length - 1];
    cohort.unfinished += 1;
    this.running += 1;
    response.once('close', () => this.finished(cohort));
    this.listener(request, response);
  }

  private finished(cohort: Cohort): void {
    if (cohort.counted) {
      cohort.unfinished -= 1;
      this.running -= 1;
    }
    this.admitWaiting();
  }

  private admitWaiting(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const [request, response] = this.waiting.shift()!;
      // A client that went away while waiting needs no answer.
      if (!request.socket.destroyed) this.admit(request, response);
    }
  }

  private startCohort(): void {
    this.cohorts.push({ unfinished: 0, counted: true });
    if (this.cohorts.length <= this.timing.countedCohorts) return;
    const expired = this.cohorts.shift()!;
    expired.counted = false;
    this.running -= expired.unfinished;
    this.admitWaiting();
  }
}
