/**
 * The listening socket's accept queue during a run: connections the kernel has completed and no server
 * process has accepted yet. Each holds a request the load client has sent and timed, so a queue left at
 * the end of a run is requests answered neither within the run nor as timeouts. While the queue is full the
 * kernel drops handshake packets (SYNs, and final ACKs or the requests sent after them) and counts each drop
 * as a listen-queue overflow, again at each retry: a count of packets, not of clients.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AcceptQueue {
  max: number;
  /** At the last sample before the load stopped. */
  atEnd: number;
  /**
   * Listen-queue overflows during the run, for every listening socket in this network namespace (the server
   * under test's, in practice); undefined where the kernel does not say.
   */
  overflows?: number;
}

/** The kernel's count of listen-queue overflows since boot (TcpExt ListenOverflows in /proc/net/netstat). */
export function listenOverflowsIn(netstat: string): number | undefined {
  const [names, values] = netstat.split('\n').filter((line) => line.startsWith('TcpExt:'));
  const at = names?.split(/\s+/).indexOf('ListenOverflows') ?? -1;
  const count = at > 0 ? Number(values?.split(/\s+/)[at]) : Number.NaN;
  return Number.isSafeInteger(count) ? count : undefined;
}

function listenOverflows(): number | undefined {
  try {
    return listenOverflowsIn(readFileSync('/proc/net/netstat', 'utf8'));
  } catch {
    return undefined;
  }
}

export class AcceptQueueSampler {
  private readonly samples: number[] = [];
  private timer?: NodeJS.Timeout;
  private overflowsBefore?: number;

  constructor(
    private readonly port: number,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.overflowsBefore = listenOverflows();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  /** The queue as sampled, or undefined when `ss` (iproute2) could not read it. */
  stop(): AcceptQueue | undefined {
    clearInterval(this.timer);
    if (this.samples.length === 0) return undefined;
    const overflowsAfter = listenOverflows();
    const overflows = this.overflowsBefore !== undefined && overflowsAfter !== undefined ? overflowsAfter - this.overflowsBefore : undefined;
    return { max: Math.max(...this.samples), atEnd: this.samples[this.samples.length - 1], overflows };
  }

  private async sample(): Promise<void> {
    try {
      // For a listening socket ss shows the accept queue's length as Recv-Q.
      const { stdout } = await run('ss', ['-ltnH', `sport = :${this.port}`]);
      const recvQ = Number(stdout.trim().split(/\s+/)[1]);
      if (Number.isFinite(recvQ)) this.samples.push(recvQ);
    } catch {
      // no ss here: the report says the queue was not read
    }
  }
}
