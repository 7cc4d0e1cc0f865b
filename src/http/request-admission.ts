import Denque from 'denque';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PausedConnections } from './paused-connections';

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

/** Connections read again now are read in the event loop's next poll, which the second turn from now follows. */
async function afterNextPoll(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

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
 * With `paused` given, the line of parsed requests is kept about `limit` long: once it is, a connection
 * whose answer has just been sent is not read again until the line shortens (or for MAX_PAUSE_MS), so the
 * client's next request waits in the kernel's socket buffer rather than in the heap, where thousands of
 * waiting requests outlived every scavenge (the README has what it gained). While requests wait, a connection
 * answered is paused behind those already paused, so that each waits its turn; once none wait, none is paused
 * and the paused ones are read again. A health probe sent on a
 * paused connection waits with it: probes belong on connections of their own.
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
  /**
   * A double-ended queue, as up to `maxWaiting` requests wait: past 16,384 entries an array's backing store
   * is too large for V8 to trim in place, and each `shift` copied the whole line (38 µs an admission with
   * 20,000 waiting, against 0.13 µs here).
   */
  private readonly waiting = new Denque<[IncomingMessage, ServerResponse]>();
  private readonly cohorts: Cohort[] = [{ unfinished: 0, counted: true }];
  private readonly timer: NodeJS.Timeout;
  private stopping = false;
  /** Requests are expected from connections read again, until the event loop has polled them. */
  private expectationsLapsing = false;
  /** Set once stopping has begun: from then on no connection is paused. */
  private stopTimer: NodeJS.Timeout | undefined;
  private readonly timing: AdmissionTiming;
  private readonly paused?: PausedConnections;

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
    private readonly listener: RequestListener,
    private readonly exempt: (request: IncomingMessage) => boolean,
    { timing = DEFAULT_TIMING, paused }: { timing?: AdmissionTiming; paused?: PausedConnections } = {},
  ) {
    this.timing = timing;
    this.paused = paused;
    this.timer = setInterval(() => this.startCohort(), timing.cohortMs).unref();
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (this.exempt(request)) return this.listener(request, response);
    this.paused?.arrived();
    if (this.running < this.limit) this.admit(request, response);
    else if (!this.stopping && this.waiting.length < this.maxWaiting) this.waiting.push([request, response]);
    else refuse(response, this.stopping ? STOPPING : `this process already holds ${this.waiting.length} requests waiting for their turn`);
  };

  /**
   * In `ms`, answers 503 to the requests still waiting, and to any that would wait from then on. Reads the
   * paused connections again at once, and resolves once their requests are read: a closing HTTP server
   * closes the connections that hold no request, as a paused one with its request still unread would seem.
   */
  async stopWaitingAfter(ms: number): Promise<void> {
    this.stopTimer ??= setTimeout(() => {
      this.stopping = true;
      for (const [, response] of this.waiting.toArray()) refuse(response, STOPPING);
      this.waiting.clear();
    }, ms).unref();
    this.paused?.resumeAll();
    await afterNextPoll();
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
    response.once('close', () => this.finished(cohort, request));
    this.listener(request, response);
  }

  private finished(cohort: Cohort, request: IncomingMessage): void {
    if (cohort.counted) {
      cohort.unfinished -= 1;
      this.running -= 1;
    }
    this.admitWaiting();
    const paused = this.paused;
    if (!paused || this.stopTimer) return;
    // Behind the connections already paused while requests still wait: each waits its turn, as in the line. With
    // none waiting the process keeps up, and a pause would only make a request wait behind idle connections.
    const waiting = this.waiting.length;
    if (waiting >= this.limit || (waiting > 0 && paused.count > 0)) paused.pause(request.socket);
  }

  private admitWaiting(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const [request, response] = this.waiting.shift()!;
      // A client that went away while waiting needs no answer.
      if (!request.socket.destroyed) this.admit(request, response);
    }
    this.resumePaused();
  }

  /** Reads paused connections again while the line and the requests expected from them are shorter than the places. */
  private resumePaused(): void {
    const paused = this.paused;
    if (!paused) return;
    paused.resume(() => this.waiting.length + paused.expected < this.limit);
    if (paused.expected === 0 || this.expectationsLapsing) return;
    this.expectationsLapsing = true;
    void afterNextPoll().then(() => {
      // What a connection read again had waiting has arrived by now: one that brought nothing had nothing to send.
      this.expectationsLapsing = false;
      paused.forgetExpected();
      this.admitWaiting();
    });
  }

  private startCohort(): void {
    this.cohorts.push({ unfinished: 0, counted: true });
    if (this.cohorts.length > this.timing.countedCohorts) {
      const expired = this.cohorts.shift()!;
      expired.counted = false;
      this.running -= expired.unfinished;
    }
    // Also reads again the connections paused for too long.
    this.admitWaiting();
  }
}
