import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';

/**
 * Three times the longest wait any connection asks Redis for: Bull's blocking connection waits 5 s at a
 * time for a job, so a live connection owing answers always speaks well within it.
 */
export const SILENT_CONNECTION_TIMEOUT_MS = 15_000;

/** When a connection's stream last proved it alive: it sent data, or it owed nothing. */
interface Hearing {
  stream: Redis['stream'];
  at: number;
}

/**
 * Drops any watched connection that owes answers and has heard nothing from Redis for `silenceMs`; ioredis
 * then connects again and sends the unanswered commands anew. A connection the network lost without closing
 * it (a NAT or firewall that forgot it, a Redis host gone) otherwise stays open and silent for good, and a
 * worker waiting for jobs on one never takes another. Silence is checked every third of `silenceMs`, so a
 * connection goes after `silenceMs` to 4/3 of it.
 *
 * Not ioredis's socketTimeout: its timer outlives the stream it was set for, so it would hold a stopping
 * process open, and after a reconnection close the new, healthy connection.
 */
export class SilentConnectionWatch implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SilentConnectionWatch.name);
  private readonly sources: Array<() => Iterable<Redis>> = [];
  private readonly hearings = new WeakMap<Redis, Hearing>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly silenceMs: number = SILENT_CONNECTION_TIMEOUT_MS) {}

  /** Watches the connections `connections` lists at each check: some are opened only as they are needed. */
  include(connections: () => Iterable<Redis>): void {
    this.sources.push(connections);
  }

  onModuleInit(): void {
    this.timer ??= setInterval(() => this.check(), this.silenceMs / 3).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    for (const connection of this.sources.flatMap((source) => [...source()])) {
      // Connecting, and giving up on it, is ioredis's own business.
      if (connection.status !== 'ready') continue;
      const hearing = this.hearingOf(connection, now);
      if (connection.commandQueue.length === 0) {
        hearing.at = now;
      } else if (now - hearing.at >= this.silenceMs) {
        const waited = Math.round((now - hearing.at) / 1000);
        this.logger.warn(`No answer from Redis for ${waited} s with commands waiting (${connection.commandQueue.length}): connecting again`);
        connection.stream.destroy(new Error(`Redis answered nothing for ${waited} s`));
        hearing.at = now;
      }
    }
  }

  private hearingOf(connection: Redis, now: number): Hearing {
    const known = this.hearings.get(connection);
    if (known?.stream === connection.stream) return known;
    const hearing: Hearing = { stream: connection.stream, at: now };
    connection.stream.on('data', () => (hearing.at = Date.now()));
    this.hearings.set(connection, hearing);
    return hearing;
  }
}
