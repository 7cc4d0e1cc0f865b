import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import { Server as NetServer } from 'node:net';

/** What an API process asks the supervisor (scripts/lib/supervisor.js), sending its listening socket along. */
export const ACCEPTORS_REQUEST = 'rpa:acceptors-request';
/** What the supervisor sends back, once per descriptor. */
export const ACCEPTOR_HANDLE = 'rpa:acceptor-handle';

interface AcceptorHandleMessage {
  rpa: typeof ACCEPTOR_HANDLE;
}

const isAcceptorHandle = (message: unknown): message is AcceptorHandleMessage =>
  typeof message === 'object' && message !== null && (message as { rpa?: unknown }).rpa === ACCEPTOR_HANDLE;

/**
 * More descriptors of the shared listening socket, each accepting for this process's HTTP server.
 *
 * Node 20's libuv accepts one connection each time it polls a listening descriptor readable (libuv#3696).
 * A busy API process polls every few tens of milliseconds, so when 10,000 clients connected at once the
 * connections not accepted before the first requests filled the event loop waited seconds in the kernel's
 * accept queue, with their requests. The supervisor sends the listening socket back as many times as asked,
 * each arriving as a descriptor of its own, so every poll accepts up to one connection per descriptor.
 * Outside the supervisor (`node dist/main.js`) there is no one to ask and nothing changes.
 */
export class ExtraAcceptors {
  private readonly logger = new Logger(ExtraAcceptors.name);
  private readonly acceptors: NetServer[] = [];
  private onMessage?: (message: unknown, handle: unknown) => void;

  constructor(private readonly backlog: number) {}

  /**
   * Asks for `count` descriptors of the socket `server` listens on and accepts through each as it arrives.
   * Resolves with how many are open when all have arrived, or when `waitMs` has passed.
   */
  open(server: HttpServer, count: number, waitMs = 5_000): Promise<number> {
    // The listening socket's own handle: what the IPC channel can send as a descriptor.
    const listening = (server as unknown as { _handle?: object })._handle;
    if (!cluster.isWorker || !process.send || count <= 0 || !listening || this.onMessage) return Promise.resolve(0);
    return new Promise((resolve) => {
      const done = () => resolve(this.acceptors.length);
      const timer = setTimeout(done, waitMs);
      this.onMessage = (message, handle) => {
        if (!isAcceptorHandle(message) || !handle) return;
        this.acceptors.push(this.acceptThrough(handle, server));
        if (this.acceptors.length === count) {
          clearTimeout(timer);
          done();
        }
      };
      process.on('message', this.onMessage);
      process.send!({ rpa: ACCEPTORS_REQUEST, count }, listening as never);
    });
  }

  /** Stops accepting through the extra descriptors; the process's own listener is closed with the HTTP server. */
  close(): void {
    if (this.onMessage) process.off('message', this.onMessage);
    for (const acceptor of this.acceptors.splice(0)) acceptor.close();
  }

  private acceptThrough(handle: unknown, server: HttpServer): NetServer {
    const acceptor = new NetServer();
    acceptor.on('connection', (socket) => server.emit('connection', socket));
    // accept() failing (EMFILE, say) costs that connection only; the other descriptors go on accepting.
    acceptor.on('error', (error) => this.logger.warn(`An extra acceptor failed to accept: ${error.message}`));
    // The same backlog as the process's own listen: listen() on a listening socket sets its backlog anew.
    acceptor.listen(handle, this.backlog);
    return acceptor;
  }
}
