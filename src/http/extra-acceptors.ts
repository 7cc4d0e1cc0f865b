import { Logger } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as NetServer } from 'node:net';
import { AcceptBurstWatch } from './accept-burst-watch';
import { AcceptQueueProbe } from './accept-queue-probe';

/** The supervisor (scripts/lib/supervisor.js) offers descriptors once the process listens. */
export const ACCEPTORS_OFFER = 'rpa:acceptors-offer';
/** The process takes the offer by sending its listening socket along, with how many copies it wants. */
export const ACCEPTORS_REQUEST = 'rpa:acceptors-request';
/** The supervisor sends the socket back once per descriptor asked for. */
export const ACCEPTOR_HANDLE = 'rpa:acceptor-handle';

/**
 * Descriptors accepted through at all times besides the process's own. Not more: every descriptor wakes for
 * every new connection, and through 255 descriptors clients that open a connection per request lost 5 to 14%
 * of their requests per second.
 */
const STEADY_ACCEPTORS = 15;
/**
 * Descriptors held in reserve and accepted through only while a burst of connections waits: with 255 in
 * all, 10,000 connections opened at once were all accepted within a second, where 16 took three to four.
 * An earlier reserve, opened on another signal than the accept queue's length, came and went every second
 * or two under clients that connect per request and cost them 11 to 35% (the README has what this one costs).
 */
const BURST_ACCEPTORS = 240;

const messageIs = (message: unknown, kind: string): boolean =>
  typeof message === 'object' && message !== null && (message as { rpa?: unknown }).rpa === kind;

/** What a listening handle must be to travel over IPC as a descriptor: libuv's TCP handle, which has one. */
const hasDescriptor = (handle: unknown): handle is { fd: number; close(): void } => typeof (handle as { fd?: unknown } | null)?.fd === 'number';

/** Stops accepting; resolves once every connection the acceptor took has ended. */
const closeAcceptor = (acceptor: NetServer): Promise<void> => new Promise((resolve) => acceptor.close(() => resolve()));

/**
 * More descriptors of the shared listening socket, each accepting for this process's HTTP server.
 *
 * Node 20's libuv accepts one connection each time it polls a listening descriptor readable (libuv#3696).
 * A busy API process polls every few tens of milliseconds, so when 10,000 clients connected at once the
 * connections not accepted before the first requests filled the event loop waited seconds in the kernel's
 * accept queue, with their requests. Once this process listens, the supervisor offers descriptors; the
 * process sends its listening socket, and the supervisor sends it back as many times as asked, each copy
 * arriving as a descriptor of its own, so every poll accepts up to one connection per descriptor.
 *
 * Where the kernel tells the accept queue's length (Linux), the process also keeps a reserve of copies it
 * does not listen on, and accepts through them while a burst waits in the queue; once the queue has been
 * calm for five seconds it closes them and asks for a fresh reserve.
 * Without the supervisor (`node dist/main.js`, another process manager) no offer comes and nothing changes.
 */
export class ExtraAcceptors {
  private readonly logger = new Logger(ExtraAcceptors.name);
  private readonly steady: NetServer[] = [];
  private readonly reserve: Array<{ close(): void }> = [];
  private readonly bursting: NetServer[] = [];
  /** Burst acceptors closed after their burst, until the connections they took have ended. */
  private readonly retired = new Set<Promise<void>>();
  private readonly onMessage = (message: unknown, handle: unknown) => this.receive(message, handle);
  private watch?: AcceptBurstWatch;
  private offerTaken = false;
  private acceptedInBurst = 0;
  private closing?: Promise<void>;

  constructor(
    private readonly server: HttpServer,
    private readonly backlog: number,
  ) {}

  /** Listens for the supervisor's offer; call before the HTTP server listens. */
  takeOffers(): void {
    if (process.send) process.on('message', this.onMessage);
  }

  /**
   * Stops accepting through the extra descriptors. Resolves once every connection they accepted has ended,
   * which the HTTP server's own close does not wait for: it counts only the connections it accepted itself.
   */
  close(): Promise<void> {
    this.watch?.stop();
    this.reserve.splice(0).forEach((handle) => handle.close());
    // Copies still on their way arrive while this waits, and are closed as they come.
    this.closing ??= Promise.all([...[...this.steady, ...this.bursting].map(closeAcceptor), ...this.retired]).then(() => {
      process.off('message', this.onMessage);
    });
    return this.closing;
  }

  private receive(message: unknown, handle: unknown): void {
    if (messageIs(message, ACCEPTORS_OFFER)) {
      // The supervisor offers on every listen node:cluster reports; one offer is all a process takes.
      if (this.closing || this.offerTaken) return;
      this.offerTaken = true;
      const probe = this.acceptQueueProbe();
      if (probe?.read() !== undefined) {
        this.watch = new AcceptBurstWatch(probe, (waiting) => this.openReserve(waiting), () => this.retireBurst());
        this.watch.start();
        this.requestCopies(STEADY_ACCEPTORS + BURST_ACCEPTORS);
      } else {
        this.requestCopies(STEADY_ACCEPTORS);
      }
    } else if (messageIs(message, ACCEPTOR_HANDLE) && hasDescriptor(handle)) {
      if (this.closing) handle.close();
      else if (this.steady.length < STEADY_ACCEPTORS) this.steady.push(this.acceptThrough(handle));
      else if (this.watch?.inBurst) this.acceptThroughInBurst(handle);
      else this.reserve.push(handle);
    }
  }

  /** The listening socket's own handle: what the IPC channel can send as a descriptor. */
  private listeningHandle(): { fd: number } | undefined {
    const handle = (this.server as unknown as { _handle?: unknown })._handle;
    return hasDescriptor(handle) ? handle : undefined;
  }

  private requestCopies(count: number): void {
    const listening = this.listeningHandle();
    if (listening) process.send?.({ rpa: ACCEPTORS_REQUEST, count }, listening as never);
  }

  private acceptQueueProbe(): AcceptQueueProbe | undefined {
    const address = this.server.address() as AddressInfo | string | null;
    const listening = this.listeningHandle();
    if (address === null || typeof address === 'string' || !listening) return undefined;
    return AcceptQueueProbe.forDescriptor(listening.fd, address.family === 'IPv6' ? 'IPv6' : 'IPv4');
  }

  private openReserve(waiting: number): void {
    this.acceptedInBurst = 0;
    this.logger.log(`${waiting} connections wait to be accepted: accepting through ${this.reserve.length} more descriptors until they are taken`);
    this.reserve.splice(0).forEach((handle) => this.acceptThroughInBurst(handle));
  }

  private acceptThroughInBurst(handle: object): void {
    this.bursting.push(this.acceptThrough(handle, () => (this.acceptedInBurst += 1)));
  }

  private retireBurst(): void {
    this.logger.log(
      `The connection burst is accepted, ${this.acceptedInBurst} of its connections through the reserve: back to ${this.steady.length + 1} descriptors`,
    );
    for (const acceptor of this.bursting.splice(0)) {
      const closed: Promise<void> = closeAcceptor(acceptor).then(() => void this.retired.delete(closed));
      this.retired.add(closed);
    }
    this.requestCopies(BURST_ACCEPTORS);
  }

  private acceptThrough(handle: object, onAccepted?: () => void): NetServer {
    // The socket options http.Server gives the connections it accepts itself.
    const acceptor = new NetServer({ allowHalfOpen: true, noDelay: true });
    acceptor.on('connection', (socket) => {
      onAccepted?.();
      this.server.emit('connection', socket);
    });
    // accept() failing (EMFILE, say) costs that connection only; the other descriptors go on accepting.
    acceptor.on('error', (error) => this.logger.warn(`An extra acceptor failed to listen or accept: ${error.message}`));
    // The same backlog as the process's own listen: listen() on a listening socket sets its backlog anew.
    acceptor.listen(handle, this.backlog);
    return acceptor;
  }
}
