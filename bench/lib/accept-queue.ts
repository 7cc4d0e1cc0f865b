/**
 * The listening socket's accept queue during a run: connections the kernel has completed and no server
 * process has accepted yet. Each holds a request the load client has sent and timed, so a queue left at
 * the end of a run is requests answered neither within the run nor as timeouts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AcceptQueue {
  max: number;
  /** At the last sample before the load stopped. */
  atEnd: number;
}

export class AcceptQueueSampler {
  private readonly samples: number[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly port: number,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  /** The queue as sampled, or undefined when `ss` (iproute2) could not read it. */
  stop(): AcceptQueue | undefined {
    clearInterval(this.timer);
    if (this.samples.length === 0) return undefined;
    return { max: Math.max(...this.samples), atEnd: this.samples[this.samples.length - 1] };
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
