import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { QueueDepthMonitor } from './queue-depth.monitor';

/** Once full, the queue is asked to drain to this share of MAX_QUEUE_SIZE before clients come back. */
const RESUME_SHARE = 0.9;
const MIN_RETRY_AFTER_SECONDS = 1;
const MAX_RETRY_AFTER_SECONDS = 600;
/** What to suggest while nothing drains (no worker running, or none finished lately). */
const RETRY_AFTER_WITHOUT_DRAIN_SECONDS = 60;

/** Refuses new submissions with 429 while MAX_QUEUE_SIZE requests are waiting, suggesting when to retry. */
@Injectable()
export class QueueCapacityGuard implements CanActivate {
  private readonly maxWaiting: number;

  constructor(
    private readonly depth: QueueDepthMonitor,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxWaiting = config.queue.maxWaiting;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.depth.waiting < this.maxWaiting) return true;
    const retryAfter = this.retryAfterSeconds();
    context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(retryAfter));
    throw new HttpException(
      `the analysis queue is full (${this.depth.waiting.toLocaleString('en')} papers waiting, limit ${this.maxWaiting.toLocaleString('en')}); try again in ${retryAfter} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  /** How long, at the current drain rate, until the queue is back under RESUME_SHARE of its limit. */
  retryAfterSeconds(): number {
    const rate = this.depth.drainRate;
    if (rate <= 0) return RETRY_AFTER_WITHOUT_DRAIN_SECONDS;
    const excess = this.depth.waiting - this.maxWaiting * RESUME_SHARE;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, Math.ceil(excess / rate)));
  }
}
