import { CacheInterceptor } from '@nestjs/cache-manager';
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import type { FastifyRequest } from 'fastify';
import { AnalysisStatus, isFinished } from '../analysis/analysis-status';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export const FINISHED_ANSWER_CACHE = Symbol('FINISHED_ANSWER_CACHE');

interface Answer {
  status?: AnalysisStatus;
  finished_at?: string | null;
}

/**
 * Nest's CacheInterceptor for GET /status/:id, storing only finished answers (done or error), which
 * never change: a queued or processing answer is always read afresh, so a poll sees done at once.
 * A cached answer goes when its record does (RESULT_TTL after it finished, as the worker's clock dated it),
 * so it does not outlive the 404 by more than the two processes' clocks differ.
 */
@Injectable()
export class FinishedAnswerCacheInterceptor extends CacheInterceptor {
  constructor(@Inject(FINISHED_ANSWER_CACHE) cache: Cache, reflector: Reflector, @Inject(APP_CONFIG) config: AppConfig) {
    const recordLifeMs = config.retention.resultTtlSeconds * 1000;
    const finishedOnly: Cache = {
      ...cache,
      set: <T>(key: string, value: T, ttl = Infinity) => {
        const { status = 'queued', finished_at: finishedAt } = value as Answer;
        // The record's life restarted a moment after the worker dated the finish, so it outlives this bound.
        const untilRecordGoes = Date.parse(finishedAt ?? '') + recordLifeMs - Date.now();
        // Frozen, the answer is serialised once for every poll it answers (src/http/reply-serializer.ts).
        if (isFinished(status) && untilRecordGoes > 0) return cache.set(key, Object.freeze(value), Math.min(ttl, untilRecordGoes));
        return Promise.resolve(value);
      },
    };
    super(finishedOnly, reflector);
  }

  /**
   * The request id alone, in lower case as it is stored, not the URL: a query string names no other answer,
   * and would let one client fill the cache with copies of one answer and push out everyone else's.
   */
  protected override trackBy(context: ExecutionContext): string | undefined {
    const { id } = context.switchToHttp().getRequest<FastifyRequest<{ Params: { id?: string } }>>().params;
    return id ? `status:${id.toLowerCase()}` : undefined;
  }
}
