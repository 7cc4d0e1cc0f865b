import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';

class StaleServerError extends Error {}

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
    try {
      for (let attempt = 0; ; attempt += 1) {
        if (this.process.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited at once (code ${this.process.exitCode}): is the port taken?`);
        try {
          await probe.connect();
          const answeringPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
          // Its own, not one an earlier run left on the port, which this one could neither stop nor trust.
          if (answeringPid !== this.process.pid) {
            this.process.kill();
            throw new StaleServerError(`port ${this.port} is held by another redis-server (pid ${answeringPid}), left by an earlier run?`);
          }
          break;
        } catch (error) {
          if (error instanceof StaleServerError || attempt > 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    await once(running, 'exit');
  }
}
