import { Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An API process tells the supervisor (scripts/lib/supervisor.js) how many connections it holds, and how many
 * it has accepted in all…
 */
export const CONNECTIONS_HELD = 'rpa:connections-held';
/** …and the supervisor answers with the even share of all its API processes' connections, echoing that total. */
export const CONNECTIONS_SHARE = 'rpa:connections-share';

export const REPORT_EVERY_MS = 500;
/** Connections over its share a process keeps: a few, or 1% of the share, whichever is more. */
const TOLERANCE_MIN = 4;
const TOLERANCE_OF_SHARE = 0.01;

/** How reports leave this process and shares reach it: its IPC channel to the supervisor. */
export interface SupervisorChannel {
  send(message: object): void;
  /** Calls `listener` with every message the supervisor sends; returns what stops that. */
  listen(listener: (message: unknown) => void): () => void;
}

/** The channel node:cluster opened, or undefined for a process started on its own (`node dist/main.js`). */
export function supervisorChannel(): SupervisorChannel | undefined {
  if (!process.send) return undefined;
  return {
    // The callback keeps a send failing on a channel that is closing from being thrown as an 'error' event.
    send: (message) => void process.send?.(message, undefined, undefined, () => undefined),
    listen: (listener) => {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
}

/** A share, and how many connections this process had accepted in all when it sent the report the share answers. */
interface Share {
  share: number;
  accepted: number;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

const shareIn = (message: unknown): Share | undefined => {
  const { rpa, share, accepted } = (typeof message === 'object' && message !== null ? message : {}) as Partial<Record<string, unknown>>;
  return rpa === CONNECTIONS_SHARE && isCount(share) && isCount(accepted) ? { share, accepted } : undefined;
};

/**
 * Keeps this process's kept-alive connections near an even share of all API processes' connections: while
 * it holds more, it answers some requests with `Connection: close`, their clients connect again, and the
 * kernel hands each new connection to whichever process accepts it first.
 *
 * Why: API processes share the listening socket, and a connection stays with the process that accepted it.
 * When 10,000 clients connected at once, the busier of two processes took 50 to 62% of them, and at 62% its
 * clients waited 1.6 times as long as the other's for every answer; a process started in place of one that
 * died found every client already connected to the others, and served almost none.
 *
 * A process reports only while it listens, and sheds only once its share has settled (within its tolerance
 * at two reports running): while a burst of connections is still arriving, the counts say nothing yet. Even
 * then it sheds half its excess at a time, as shares are a moment old and some of the clients come back to
 * it. Connections accepted after the report a share answers are no excess: no share counted them yet. Only
 * connections that would have been kept alive are closed this way. A request that arrives on a connection
 * after the one answered `Connection: close` is not handled (RFC 9112 §9.6). Without a supervisor nothing is
 * reported and nothing is shed.
 */
export class ConnectionShare {
  private readonly logger = new Logger(ConnectionShare.name);
  private open = 0;
  private accepted = 0;
  private leaving = 0;
  private toShed = 0;
  private lastShare?: number;
  private readonly leavingSockets = new WeakSet<Socket>();
  private timer?: NodeJS.Timeout;
  private stopListening?: () => void;
  private closed = false;

  /** `channel` is undefined for a process without a supervisor. */
  constructor(
    private readonly listener: RequestListener,
    private readonly channel: SupervisorChannel | undefined,
  ) {}

  /**
   * Counts the server's connections and, under a supervisor, once the server listens, reports them and takes
   * its share: a process still starting accepts nothing, and counted in the share it would only make the
   * others close connections that come back to them.
   */
  watch(server: HttpServer): void {
    server.on('connection', (socket: Socket) => {
      this.open += 1;
      this.accepted += 1;
      socket.once('close', () => (this.open -= 1));
    });
    const channel = this.channel;
    if (!channel) return;
    server.once('listening', () => {
      if (this.closed) return;
      this.stopListening = channel.listen((message) => {
        const share = shareIn(message);
        if (share) this.takeShare(share);
      });
      this.timer = setInterval(
        () => channel.send({ rpa: CONNECTIONS_HELD, count: this.staying, accepted: this.accepted }),
        REPORT_EVERY_MS,
      ).unref();
    });
  }

  /** Stops reporting and shedding: call when the process stops accepting. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.stopListening?.();
    this.toShed = 0;
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const socket = request.socket;
    // Only while some connection is told to close: every request passes here.
    if (this.leaving > 0 && this.leavingSockets.has(socket)) return;
    // A connection closing anyway (HTTP/1.0, or its client asked) would spend the budget for nothing.
    if (this.toShed > 0 && response.shouldKeepAlive) this.shed(socket, response);
    this.listener(request, response);
  };

  /** Connections not told to close. */
  private get staying(): number {
    return this.open - this.leaving;
  }

  private takeShare({ share, accepted }: Share): void {
    const tolerance = Math.max(TOLERANCE_MIN, share * TOLERANCE_OF_SHARE);
    const settled = this.lastShare !== undefined && Math.abs(share - this.lastShare) <= tolerance;
    this.lastShare = share;
    // Those accepted since the report (a burst arriving before its answer) are left out, still open or not:
    // the excess may come out low, never high.
    const excess = this.staying - (this.accepted - accepted) - share;
    this.toShed = settled && excess > tolerance ? Math.ceil(excess / 2) : 0;
    if (this.toShed > 0) {
      this.logger.log(`Holds ${this.staying} connections, ${excess} over an even share: closing ${this.toShed} as their answers go out`);
    }
  }

  private shed(socket: Socket, response: ServerResponse): void {
    this.toShed -= 1;
    this.leaving += 1;
    this.leavingSockets.add(socket);
    socket.once('close', () => (this.leaving -= 1));
    response.setHeader('connection', 'close');
  }
}
