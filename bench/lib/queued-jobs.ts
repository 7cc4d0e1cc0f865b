/** The service's Bull queue as the bench sees it: which requests its unfinished jobs still carry. */
import Bull from 'bull';
import { ANALYSIS_QUEUE, type AnalyzePapersJob } from '../../src/batching/analysis-queue';
import { BULL_PREFIX } from '../../src/redis/redis-keys';
import { redisUrl } from './redis';

const PAGE = 1_000;
/**
 * Read in this order so that a job a worker moves on while the lists are read is seen at least once:
 * waiting → active (taken), active → delayed (failed, to be tried again).
 */
const UNFINISHED = ['paused', 'waiting', 'active', 'delayed'] as const;

/** The ids of every request in a job not yet finished (paused, waiting, active or delayed). */
export async function requestIdsInJobs(database: number): Promise<Set<string>> {
  const queue = new Bull<AnalyzePapersJob>(ANALYSIS_QUEUE, redisUrl(database), { prefix: BULL_PREFIX });
  const requestIds = new Set<string>();
  try {
    for (const state of UNFINISHED) {
      for (let start = 0; ; start += PAGE) {
        // Newest first: workers take the oldest, at the far end, so the pages still to read do not shift.
        const jobs = await queue.getJobs([state], start, start + PAGE - 1, false);
        // A job finished between listing and reading comes back as null.
        for (const job of jobs) job?.data.requests.forEach((request) => requestIds.add(request.requestId));
        if (jobs.length < PAGE) break;
      }
    }
  } finally {
    await queue.close();
  }
  return requestIds;
}
