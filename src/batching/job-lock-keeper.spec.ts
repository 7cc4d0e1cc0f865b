import Bull, { Job, Queue } from 'bull';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrivateRedisServer } from '../../test/support/private-redis-server';
import { JobLockKeeper, JobLockTiming } from './job-lock-keeper';

/** Bull's lock timings scaled down a thirtieth, so that a lock lapses within a test. */
const LOCK: JobLockTiming = { durationMs: 1_000, renewEveryMs: 500 };
const JOB_RUNS_MS = 4_000;

describe('JobLockKeeper', () => {
  // Its own Redis: pausing every client of the shared one would stall the other suites.
  const server = new PrivateRedisServer(16394);
  let queue: Queue;
  let admin: Redis;

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  beforeEach(() => {
    queue = new Bull('lock-keeper', server.url, {
      settings: { lockDuration: LOCK.durationMs, lockRenewTime: LOCK.renewEveryMs, stalledInterval: LOCK.durationMs / 2 },
    });
    // As in the service, a command Redis does not answer in time fails (src/batching/bull-connection-safeguards.ts).
    queue.client.options.commandTimeout = 200;
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    await queue.close();
    await admin.flushall();
    admin.disconnect();
  });

  /** Runs one job for JOB_RUNS_MS while Redis stops answering for a moment as Bull renews its lock. */
  async function runThroughPause(keeper?: JobLockKeeper) {
    const stalls: string[] = [];
    let runs = 0;
    queue.on('stalled', (job: Job) => stalls.push(String(job.id)));
    const work = () => {
      runs += 1;
      return sleep(JOB_RUNS_MS);
    };
    void queue.process(1, (job: Job) => (keeper ? keeper.whileInHand(job, work) : work()));
    const job = await queue.add({});
    while ((await job.getState()) !== 'active') await sleep(20);
    // Not events.once: Bull also reports the commands the pause timed out as 'error' events, which would reject it.
    const outcome = new Promise((resolve) => ['completed', 'stalled'].forEach((event) => queue.once(event, () => resolve(event))));
    // Bull's first renewal comes LOCK.renewEveryMs after the job started: it waits out the pause and times out.
    await sleep(LOCK.renewEveryMs / 2);
    await admin.client('PAUSE', LOCK.renewEveryMs);
    return { stalls, runs, finished: await outcome };
  }

  it('shows the failure it is for: without it, one failed renewal lets the lock lapse under a running job', async () => {
    const { stalls, finished } = await runThroughPause();
    expect(finished).toBe('stalled');
    expect(stalls.length).toBeGreaterThan(0);
  });

  it('keeps renewing the lock of a job in hand after a renewal failed, so the job runs once, unstalled', async () => {
    const { stalls, runs, finished } = await runThroughPause(new JobLockKeeper(queue, LOCK));
    expect(stalls).toEqual([]);
    expect(runs).toBe(1);
    expect(finished).toBe('completed');
  });

  it('renews nothing once the work ends', async () => {
    const keeper = new JobLockKeeper(queue, LOCK);
    const job = await queue.add({});
    const renewals = jest.spyOn(job, 'extendLock').mockResolvedValue(1);
    let endWork = () => undefined as void;
    const inHand = keeper.whileInHand(job, () => new Promise<void>((resolve) => (endWork = resolve)));
    queue.emit('lock-extension-failed', job, new Error('Command timed out'));
    while (renewals.mock.calls.length === 0) await sleep(10);
    endWork();
    await inHand;
    const renewedWhileInHand = renewals.mock.calls.length;
    await sleep(LOCK.durationMs);
    expect(renewals).toHaveBeenCalledTimes(renewedWhileInHand);
  });
});
