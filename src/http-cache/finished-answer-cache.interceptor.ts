import { CacheInterceptor } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import { AnalysisStatus, isFinished } from '../analysis/analysis-status';

export const FINISHED_ANSWER_CACHE = Symbol('FINISHED_ANSWER_CACHE');

const isFinishedAnswer = (answer: unknown) => isFinished((answer as { status?: AnalysisStatus } | undefined)?.status ?? 'queued');

/**
 * Nest's CacheInterceptor for GET /status/:id, storing only finished answers (done or error), which
 * never change: a queued or processing answer is always read afresh, so a poll sees done at once.
 */
@Injectable()
export class FinishedAnswerCacheInterceptor extends CacheInterceptor {
  constructor(@Inject(FINISHED_ANSWER_CACHE) cache: Cache, reflector: Reflector) {
    const finishedOnly: Cache = {
      ...cache,
      set: <T>(key: string, value: T, ttl?: number) => (isFinishedAnswer(value) ? cache.set(key, value, ttl) : Promise.resolve(value)),
    };
    super(finishedOnly, reflector);
  }
}
