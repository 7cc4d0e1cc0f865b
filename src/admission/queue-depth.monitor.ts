import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { WaitingRequests } from '../batching/waiting-requests';
import { repliesOf } from '../redis/pipeline-replies';
import { REDIS } from '../redis/redis.module';

const REFRESH_MS = 250;
/** The drain rate is measured over this much recent history. */
const RATE_WINDOW_MS = 10_000;

interface FinishedSample {
  at: number;
  finished: number;
}

/**
 * The queue's depth and drain rate, refreshed a few times a second in the background, so admission
 * decisions cost no Redis call per request.
 */
@Injectable()
export class QueueDepthMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueDepthMonitor.name);
  private timer: NodeJS.Timeout | undefined;
  private samples: FinishedSample[] = [];
  private waitingNow = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly counters: ServiceCounters,
    private readonly waitingRequests: WaitingRequests,
  ) {}

  /** Requests waiting for a worker, as of the last refresh. */
  get waiting(): number {
    return this.waitingNow;
  }

  /** Requests finished per second across all workers over the last few seconds (0 when unknown). */
  get drainRate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || last.at - first.at < REFRESH_MS) return 0;
    return ((last.finished - first.finished) * 1000) / (last.at - first.at);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One read at a time: while Redis is slow to answer, the timer's next refreshes wait for this one. */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      this.counters.addRead(pipeline, ['processed', 'failed']);
      const [waiting, [finished]] = await Promise.all([this.waitingRequests.count(), repliesOf(pipeline) as Promise<[(string | null)[]]>]);
      const at = Date.now();
      this.waitingNow = waiting;
      this.samples.push({ at, finished: finished.reduce((sum, value) => sum + Number(value ?? 0), 0) });
      this.samples = this.samples.filter((sample) => at - sample.at <= RATE_WINDOW_MS);
    } catch (error) {
      // Keep the last known depth; readiness reports the outage.
      this.logger.debug(`Queue depth not refreshed: ${(error as Error).message}`);
    }
  }
}
