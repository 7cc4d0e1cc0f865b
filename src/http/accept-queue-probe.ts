import { closeSync, openSync, readSync } from 'node:fs';

/** Linux's code for a listening socket in /proc/net/tcp's `st` column. */
const LISTENING = '0A';
/** The kernel hands /proc/net/tcp out a page at a time; listening sockets come first. */
const PAGE_BYTES = 4096;

/**
 * The length of a listening socket's accept queue: connections the kernel has completed and no process
 * has accepted yet, read from /proc/net/tcp (or tcp6), where a listening socket's rx_queue is that length.
 * Only the head of the file is read: the kernel lists listening sockets before any connection, so a read
 * costs tens of microseconds however many connections are open.
 */
export class AcceptQueueProbe {
  private readonly file: string;
  private readonly localPort: string;
  private readonly buffer = Buffer.alloc(PAGE_BYTES);

  constructor(port: number, family: 'IPv4' | 'IPv6') {
    this.file = family === 'IPv6' ? '/proc/net/tcp6' : '/proc/net/tcp';
    this.localPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  }

  /** The connections waiting to be accepted, or undefined where the kernel does not tell (not Linux, no such socket). */
  read(): number | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return undefined;
    }
    try {
      let carried = '';
      for (;;) {
        const bytes = readSync(fd, this.buffer, 0, PAGE_BYTES, null);
        if (bytes === 0) return undefined;
        const lines = (carried + this.buffer.toString('latin1', 0, bytes)).split('\n');
        carried = lines.pop()!;
        for (const line of lines) {
          // sl, local_address, rem_address, st, tx_queue:rx_queue, …
          const [, local, , state, queues] = line.trim().split(/\s+/);
          if (state === undefined || local === 'local_address') continue;
          if (state !== LISTENING) return undefined;
          if (local.endsWith(this.localPort)) return parseInt(queues.slice(queues.indexOf(':') + 1), 16);
        }
      }
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}
