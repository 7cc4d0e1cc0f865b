import Denque from 'denque';
import type { Socket } from 'node:net';

/** The TCP handle under a socket: what reads from the kernel. */
interface ReadingHandle {
  readStart(): number;
  readStop(): number;
}

/**
 * Node's HTTP server parses straight from the handle, bypassing the socket's stream, so `socket.pause()`
 * does not stop it reading: only the handle can. Undefined where there is none (a closed socket).
 */
function readingHandleOf(socket: Socket): ReadingHandle | undefined {
  const handle = (socket as unknown as { _handle?: Partial<ReadingHandle> | null })._handle;
  return typeof handle?.readStart === 'function' && typeof handle.readStop === 'function' ? (handle as ReadingHandle) : undefined;
}

/** Longest a connection stays unread, so that clients on new connections cannot keep a paused one waiting for ever. */
export const MAX_PAUSE_MS = 2_000;

interface Pause {
  socket: Socket;
  since: number;
  /** The idle timeout the HTTP server had set, suspended while the connection is paused. */
  idleTimeoutMs: number;
}

/**
 * Kept-alive connections this process has stopped reading, oldest first. The next request a client sends on
 * one waits in the kernel's socket buffer, costing the heap nothing, until the connection is read again. A
 * client waiting its turn is not idle: the keep-alive timeout is suspended meanwhile.
 *
 * It also counts the requests expected from connections read again and not arrived yet, which their owner
 * forgets (`forgetExpected`) once they could have arrived: a client may have had nothing more to send.
 */
export class PausedConnections {
  /**
   * Oldest pause first. Not a Map in insertion order: each deletion at its front leaves a hole that every later
   * iteration steps over until the table is rebuilt, which cost 1.5 µs a resume with 3,000 paused.
   */
  private readonly line = new Denque<Pause>();
  private readonly pausedSockets = new Set<Socket>();
  private onTheirWay = 0;

  constructor(private readonly maxPauseMs = MAX_PAUSE_MS) {}

  get expected(): number {
    return this.onTheirWay;
  }

  get count(): number {
    return this.line.length;
  }

  /**
   * Stops reading `socket` if the HTTP server holds it idle, waiting for its next request (it has set the
   * keep-alive timeout): not while it answers a pipelined request, nor once it is closing, as after an answer
   * with `Connection: close`. False when it did not pause it.
   */
  pause(socket: Socket): boolean {
    const handle = readingHandleOf(socket);
    const idleTimeoutMs = socket.timeout ?? 0;
    if (socket.destroyed || !socket.writable || idleTimeoutMs <= 0 || !handle || this.pausedSockets.has(socket)) return false;
    handle.readStop();
    socket.setTimeout(0);
    this.line.push({ socket, since: Date.now(), idleTimeoutMs });
    this.pausedSockets.add(socket);
    return true;
  }

  /** A request arrived, perhaps one that was expected. */
  arrived(): void {
    if (this.onTheirWay > 0) this.onTheirWay -= 1;
  }

  forgetExpected(): void {
    this.onTheirWay = 0;
  }

  /** Reads again the connections paused `maxPauseMs` or longer, and then, oldest first, more while `more()` says so. */
  resume(more: () => boolean): void {
    if (this.line.isEmpty()) return;
    const overdue = Date.now() - this.maxPauseMs;
    for (let oldest = this.line.peekFront(); oldest; oldest = this.line.peekFront()) {
      if (oldest.since > overdue && !more()) return;
      this.line.shift();
      this.pausedSockets.delete(oldest.socket);
      if (this.readAgain(oldest)) this.onTheirWay += 1;
    }
  }

  resumeAll(): void {
    this.resume(() => true);
  }

  private readAgain({ socket, idleTimeoutMs }: Pause): boolean {
    const handle = readingHandleOf(socket);
    // A connection closed while paused (the server is closing, say) needs nothing.
    if (socket.destroyed || !handle) return false;
    socket.setTimeout(idleTimeoutMs);
    handle.readStart();
    return true;
  }
}
