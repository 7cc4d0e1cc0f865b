import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';
import { ExpiringString } from '../../redis/expiring-writes';
import { readJsonValues } from '../../redis/json-values';
import { redisKeys } from '../../redis/redis-keys';
import { PaperContent } from '../paper-content';

/**
 * Papers stored once by content hash, however many requests carry them, for RESULT_TTL after the latest of
 * them was submitted: a request whose analysis starts later than that fails for good with PaperUnavailableError.
 */
@Injectable()
export class PaperStore {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.retention.resultTtlSeconds;
  }

  /** The write that stores a paper, for callers to send with their own writes. */
  saving(hash: string, paper: PaperContent): ExpiringString {
    return { key: redisKeys.paper(hash), value: JSON.stringify(paper), ttlSeconds: this.ttlSeconds };
  }

  loadMany(hashes: readonly string[]): Promise<Map<string, PaperContent>> {
    return readJsonValues<PaperContent>(this.redis, hashes, redisKeys.paper);
  }
}
