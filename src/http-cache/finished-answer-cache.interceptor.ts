import { CacheInterceptor } from '@nestjs/cache-manager';
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import type { FastifyRequest } from 'fastify';
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

  /**
   * The request id alone, not the URL: a query string names no other answer, and would let one client
   * fill the cache with copies of one answer and push out everyone else's.
   */
  protected override trackBy(context: ExecutionContext): string | undefined {
    const { id } = context.switchToHttp().getRequest<FastifyRequest<{ Params: { id?: string } }>>().params;
    return id ? `status:${id}` : undefined;
  }
}
