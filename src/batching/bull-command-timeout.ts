import { InjectQueue } from '@nestjs/bull';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { COMMAND_TIMEOUT_MS } from '../redis/redis-connection';
import { ANALYSIS_QUEUE } from './analysis-queue';

/**
 * Gives Bull's command connection the app's command timeout, so an enqueue caught by a Redis that stops
 * answering without closing the connection ends in a 503 instead of holding its request until TCP gives up.
 * Set on that connection alone: Bull's blocking connection carries one wait for a job per concurrent job a
 * worker may run, queued behind each other in Redis, so a timeout there would fail the waits at the back.
 */
@Injectable()
export class BullCommandTimeout implements OnModuleInit {
  constructor(@InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue) {}

  onModuleInit(): void {
    // ioredis reads the option as it sends each command.
    this.queue.client.options.commandTimeout = COMMAND_TIMEOUT_MS;
  }
}
