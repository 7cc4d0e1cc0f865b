import { Logger } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import { Server as NetServer } from 'node:net';

/** The supervisor (scripts/lib/supervisor.js) offers descriptors once the process listens. */
export const ACCEPTORS_OFFER = 'rpa:acceptors-offer';
/** The process takes the offer by sending its listening socket along. */
export const ACCEPTORS_REQUEST = 'rpa:acceptors-request';
/** The supervisor sends the socket back once per descriptor. */
export const ACCEPTOR_HANDLE = 'rpa:acceptor-handle';

const messageIs = (message: unknown, kind: string): boolean =>
  typeof message === 'object' && message !== null && (message as { rpa?: unknown }).rpa === kind;

/** What a listening handle must be to travel over IPC as a descriptor: libuv's TCP handle, which has one. */
const hasDescriptor = (handle: unknown): handle is object => typeof (handle as { fd?: unknown } | null)?.fd === 'number';

/**
 * More descriptors of the shared listening socket, each accepting for this process's HTTP server.
 *
 * Node 20's libuv accepts one connection each time it polls a listening descriptor readable (libuv#3696).
 * A busy API process polls every few tens of milliseconds, so when 10,000 clients connected at once the
 * connections not accepted before the first requests filled the event loop waited seconds in the kernel's
 * accept queue, with their requests. Once this process listens, the supervisor offers descriptors; the
 * process sends its listening socket, and the supervisor sends it back as many times as it offered, each
 * copy arriving as a descriptor of its own, so every poll accepts up to one connection per descriptor.
 * Without the supervisor (`node dist/main.js`, another process manager) no offer comes and nothing changes.
 */
export class ExtraAcceptors {
  private readonly logger = new Logger(ExtraAcceptors.name);
  private readonly acceptors: NetServer[] = [];
  private readonly onMessage = (message: unknown, handle: unknown) => this.receive(message, handle);
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
    process.off('message', this.onMessage);
    this.closing ??= Promise.all(this.acceptors.map((acceptor) => new Promise<void>((resolve) => acceptor.close(() => resolve())))).then(() => undefined);
    return this.closing;
  }

  private receive(message: unknown, handle: unknown): void {
    if (messageIs(message, ACCEPTORS_OFFER)) {
      // The listening socket's own handle: what the IPC channel can send as a descriptor.
      const listening = (this.server as unknown as { _handle?: unknown })._handle;
      if (this.closing || !hasDescriptor(listening)) return;
      process.send!({ rpa: ACCEPTORS_REQUEST }, listening as never);
    } else if (messageIs(message, ACCEPTOR_HANDLE) && hasDescriptor(handle)) {
      if (this.closing) (handle as { close(): void }).close();
      else this.acceptors.push(this.acceptThrough(handle));
    }
  }

  private acceptThrough(handle: object): NetServer {
    // The socket options http.Server gives the connections it accepts itself.
    const acceptor = new NetServer({ allowHalfOpen: true, noDelay: true });
    acceptor.on('connection', (socket) => this.server.emit('connection', socket));
    // accept() failing (EMFILE, say) costs that connection only; the other descriptors go on accepting.
    acceptor.on('error', (error) => this.logger.warn(`An extra acceptor failed to accept: ${error.message}`));
    // The same backlog as the process's own listen: listen() on a listening socket sets its backlog anew.
    acceptor.listen(handle, this.backlog);
    return acceptor;
  }
}
