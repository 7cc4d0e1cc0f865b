import { CACHE_MANAGER, CacheInterceptor } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import { backfillingReads } from './backfilling-reads';

/** Nest's CacheInterceptor on the two-tier cache, where a hit in Redis also fills this process's own tier. */
@Injectable()
export class TieredCacheInterceptor extends CacheInterceptor {
  constructor(@Inject(CACHE_MANAGER) cache: Cache, reflector: Reflector) {
    super(backfillingReads(cache), reflector);
  }
}
