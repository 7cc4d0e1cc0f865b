import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

/** Linux's code for a listening socket in /proc/net/tcp's `st` column. */
const LISTENING = '0A';
/**
 * Read a few lines at a time: the kernel stops walking its socket tables once a read is filled, and asked
 * for a whole page on a quiet host it walks every empty bucket of its connection table to fill it (750 µs
 * a read here, against 16 µs for a kilobyte).
 */
const CHUNK_BYTES = 1024;

/**
 * The length of a listening socket's accept queue: connections the kernel has completed and no process
 * has accepted yet, read from /proc/net/tcp (or tcp6), where a listening socket's rx_queue is that length.
 * Only the head of the file is read: the kernel lists listening sockets before any connection.
 */
export class AcceptQueueProbe {
  private readonly buffer = Buffer.alloc(CHUNK_BYTES);

  private constructor(
    private readonly file: string,
    private readonly inode: string,
  ) {}

  /** A probe for the listening socket behind `fd`, or undefined where the kernel does not say which socket that is. */
  static forDescriptor(fd: number, family: 'IPv4' | 'IPv6'): AcceptQueueProbe | undefined {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      return inode ? new AcceptQueueProbe(family === 'IPv6' ? '/proc/net/tcp6' : '/proc/net/tcp', inode) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The connections waiting to be accepted, or undefined when the socket is not (or no longer) listed. */
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
        const bytes = readSync(fd, this.buffer, 0, CHUNK_BYTES, null);
        if (bytes === 0) return undefined;
        const lines = (carried + this.buffer.toString('latin1', 0, bytes)).split('\n');
        carried = lines.pop()!;
        for (const line of lines) {
          // sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode
          const fields = line.trim().split(/\s+/);
          const state = fields[3];
          if (state === undefined || fields[1] === 'local_address') continue;
          if (state !== LISTENING) return undefined;
          if (fields[9] === this.inode) return parseInt(fields[4].slice(fields[4].indexOf(':') + 1), 16);
        }
      }
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}
