import { InjectQueue } from '@nestjs/bull';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { COMMAND_TIMEOUT_MS } from '../redis/redis-connection';
import { SilentConnectionWatch } from '../redis/silent-connection-watch';
import { ANALYSIS_QUEUE } from './analysis-queue';

/**
 * Gives Bull's connections the safeguards of the app's own. Its command connection gets the command timeout,
 * so an enqueue caught by a Redis that stops answering without closing the connection ends in a 503 instead
 * of holding its request until TCP gives up. Not its blocking connection: that carries one wait for a job
 * per concurrent job a worker may run, queued behind each other in Redis, so a timeout there would fail the
 * waits at the back. All of them, the blocking one included, are watched for silence, so that one the
 * network lost is replaced.
 */
@Injectable()
export class BullConnectionSafeguards implements OnModuleInit {
  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue,
    private readonly silenceWatch: SilentConnectionWatch,
  ) {}

  onModuleInit(): void {
    // ioredis reads the option as it sends each command.
    this.queue.client.options.commandTimeout = COMMAND_TIMEOUT_MS;
    // Bull opens its blocking connection once a worker starts taking jobs.
    this.silenceWatch.include(() => this.queue.clients);
  }
}
