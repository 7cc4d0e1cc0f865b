import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';

/** A redis-server of the test's own on `port`, for tests that stop and restart Redis. */
export class PrivateRedisServer {
  private process: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    for (let attempt = 0; ; attempt += 1) {
      // Its own, not one left on the port by an earlier run, which this one could neither stop nor trust.
      if (this.process.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited at once (code ${this.process.exitCode}): is the port taken?`);
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    probe.disconnect();
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    await once(running, 'exit');
  }
}
