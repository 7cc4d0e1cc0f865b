import { AnalysisResult } from '../../../llm/analysis';
import { AnalyzerIdentity } from '../../../llm/analyzer-identity';
import { paperHash } from '../../paper-content';
import { ResultCache } from '../../read-model/result-cache';
import { AnalyzePaperCommand } from './analyze-paper.command';
import { AnalyzePaperHandler } from './analyze-paper.handler';
import { SubmissionRecorder } from './submission-recorder';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const cachedResult = { title: 'Cached', summary: 'From before.' } as AnalysisResult;

describe('AnalyzePaperHandler', () => {
  const identity = new AnalyzerIdentity('groq', 'openai/gpt-oss-120b');
  const resultCache = { get: jest.fn() };
  const submissions = { record: jest.fn().mockResolvedValue(undefined) };
  const handler = new AnalyzePaperHandler(
    identity,
    resultCache as unknown as ResultCache,
    submissions as unknown as SubmissionRecorder,
  );
  const paper = { title: 'A title', text: 'Body\ntext' };
  const hash = paperHash(paper);

  beforeEach(() => jest.clearAllMocks());

  it('looks the paper up under the analyser\'s cache key, then records it queued with its paper', async () => {
    resultCache.get.mockResolvedValue(undefined);
    const outcome = await handler.execute(new AnalyzePaperCommand(paper));

    expect(outcome).toEqual({ requestId: expect.stringMatching(UUID_V4), status: 'queued' });
    expect(resultCache.get).toHaveBeenCalledWith(`groq:openai/gpt-oss-120b:p2:${hash}`);
    expect(submissions.record).toHaveBeenCalledWith({
      record: { requestId: outcome.requestId, status: 'queued', paperHash: hash, submittedAt: expect.any(String), attempts: 0, cached: false },
      paper,
    });
  });

  it('answers a cached paper as done, recording it without its text and without a job', async () => {
    resultCache.get.mockResolvedValue(cachedResult);
    const outcome = await handler.execute(new AnalyzePaperCommand(paper));

    expect(outcome).toEqual({ requestId: expect.stringMatching(UUID_V4), status: 'done', result: cachedResult });
    expect(submissions.record).toHaveBeenCalledWith({
      record: expect.objectContaining({ requestId: outcome.requestId, status: 'done', cached: true, result: cachedResult }),
    });
  });

  it('passes on a failure to record', async () => {
    resultCache.get.mockResolvedValue(undefined);
    submissions.record.mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(handler.execute(new AnalyzePaperCommand(paper))).rejects.toThrow('Connection is closed.');
  });

  it('gives every request its own random id', async () => {
    resultCache.get.mockResolvedValue(undefined);
    const outcomes = await Promise.all([1, 2, 3].map(() => handler.execute(new AnalyzePaperCommand(paper))));
    expect(new Set(outcomes.map((outcome) => outcome.requestId)).size).toBe(3);
  });
});
