import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AnalyzerIdentity } from '../../../llm/analyzer-identity';
import { paperHash } from '../../paper-content';
import { ResultCache } from '../../read-model/result-cache';
import { AnalyzePaperCommand, AnalyzePaperOutcome } from './analyze-paper.command';
import { SubmissionRecorder } from './submission-recorder';

/**
 * Hashes the paper, answers from the result cache when it can, and otherwise stores
 * the paper once, writes the request's record and enqueues its job. The record is written before the
 * answer, so the returned id can be polled at once.
 */
@CommandHandler(AnalyzePaperCommand)
export class AnalyzePaperHandler implements ICommandHandler<AnalyzePaperCommand, AnalyzePaperOutcome> {
  constructor(
    private readonly identity: AnalyzerIdentity,
    private readonly resultCache: ResultCache,
    private readonly submissions: SubmissionRecorder,
  ) {}

  async execute({ paper }: AnalyzePaperCommand): Promise<AnalyzePaperOutcome> {
    const hash = paperHash(paper);
    const cached = await this.resultCache.get(this.identity.cacheKey(hash));
    const requestId = randomUUID();
    const submittedAt = new Date().toISOString();
    const record = { requestId, paperHash: hash, submittedAt, attempts: 0, cached: false };

    if (cached) {
      await this.submissions.record({ record: { ...record, status: 'done', cached: true, finishedAt: submittedAt, result: cached } });
      return { requestId, status: 'done', result: cached };
    }
    await this.submissions.record({ record: { ...record, status: 'queued' }, paper });
    return { requestId, status: 'queued' };
  }
}
