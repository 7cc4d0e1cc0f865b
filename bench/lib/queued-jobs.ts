/** The service's Bull queue as the bench sees it: which requests its unfinished jobs still carry. */
import Bull from 'bull';
import { ANALYSIS_QUEUE, type AnalyzePapersJob } from '../../src/batching/analysis-queue';
import { repliesOf } from '../../src/redis/pipeline-replies';
import { BULL_PREFIX } from '../../src/redis/redis-keys';
import { redisUrl } from './redis';

const JOBS_READ_AT_ONCE = 1_000;

/**
 * The ids of every request in a job not yet finished (paused, waiting, active or delayed). The job ids of
 * the four are listed in one transaction, so a job moving from one to another while a worker runs cannot be
 * missed; a job finished before its data is read comes back as null, its requests already moved on from queued.
 */
export async function requestIdsInJobs(database: number): Promise<Set<string>> {
  const queue = new Bull<AnalyzePapersJob>(ANALYSIS_QUEUE, redisUrl(database), { prefix: BULL_PREFIX });
  const requestIds = new Set<string>();
  try {
    const lists = queue
      .multi()
      .lrange(queue.toKey('paused'), 0, -1)
      .lrange(queue.toKey('wait'), 0, -1)
      .lrange(queue.toKey('active'), 0, -1)
      .zrange(queue.toKey('delayed'), 0, -1);
    const jobIds = ((await repliesOf(lists)) as string[][]).flat();
    for (let start = 0; start < jobIds.length; start += JOBS_READ_AT_ONCE) {
      const jobs = await Promise.all(jobIds.slice(start, start + JOBS_READ_AT_ONCE).map((jobId) => queue.getJob(jobId)));
      for (const job of jobs) job?.data.requests.forEach((request) => requestIds.add(request.requestId));
    }
  } finally {
    await queue.close();
  }
  return requestIds;
}
