import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCENARIO = join(__dirname, '..', 'support', 'launcher-scenario.js');
/** Private network and mount namespaces need root (as in CI); elsewhere this suite cannot isolate port 6379 and data/. */
const canIsolateNetwork = spawnSync('unshare', ['-n', '-m', 'true']).status === 0;

function runScenario(path?: string, stop: Record<string, string> = {}) {
  const run = spawnSync('unshare', ['-n', '-m', process.execPath, SCENARIO, ...(path ? [path] : [])], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, ...stop },
  });
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(lastLine);
  } catch {
    throw new Error(`the scenario printed no result:\n${run.stdout}\n${run.stderr}`);
  }
}

/** The launcher exited cleanly, and neither its private Redis nor the service's port outlived it. */
function expectEverythingStopped(seen: { exitCode: number | null; redisAfter: boolean; portAfter: string; output: string }) {
  if (seen.exitCode !== 0) throw new Error(`the launcher exited ${seen.exitCode}; it said:\n${seen.output}`);
  expect(seen.redisAfter).toBe(false);
  expect(seen.portAfter).toBe('closed');
}

(canIsolateNetwork ? describe : describe.skip)('npm start on a machine with no Redis running', () => {
  it('starts a private redis-server, serves, and on SIGTERM stops everything it started', () => {
    const seen = runScenario();
    expect(seen.redisBefore).toBe(false);
    expect(seen.output).toMatch(/started a private Redis on 127.0.0.1:6379 \(data in data\/redis\)/);
    expect(seen.ready).toMatchObject({ status: 'ok', info: { redis: { status: 'up' } } });
    expectEverythingStopped(seen);
  });

  it('stops everything it started when its terminal closes (SIGHUP to its whole process group)', () => {
    const seen = runScenario(undefined, { STOP_SIGNAL: 'SIGHUP', GROUP_SIGNAL: '1' });
    expect(seen.ready).toMatchObject({ status: 'ok' });
    expect(seen.output).toMatch(/SIGHUP: stopping/);
    expectEverythingStopped(seen);
  });

  it('on Ctrl-C (SIGINT to its whole process group) keeps Redis up while the service stops, then stops it too', () => {
    const seen = runScenario(undefined, { STOP_SIGNAL: 'SIGINT', GROUP_SIGNAL: '1' });
    expect(seen.ready).toMatchObject({ status: 'ok' });
    expect(seen.redisWhileStopping).toBe(true);
    expectEverythingStopped(seen);
  });

  it('takes over the private Redis a killed launcher left running, and stops it at the end', () => {
    const seen = runScenario(undefined, { KILL_FIRST: '1' });
    expect(seen.redisLeftBehind).toBe(true);
    expect(seen.output).toMatch(/the private Redis an earlier launcher started is still running \(pid \d+\): using it, and stopping it at the end/);
    expect(seen.ready).toMatchObject({ status: 'ok', info: { redis: { status: 'up' } } });
    expectEverythingStopped(seen);
  });

  it('says in one line how to get Redis when no redis-server is installed either', () => {
    const seen = runScenario('/nonexistent');
    expect(seen.ready).toBeUndefined();
    expect(seen.exitCode).toBe(1);
    expect(seen.output.trim()).toBe(
      "[start] No Redis answers on 127.0.0.1:6379 and no redis-server is installed: run `docker compose up -d redis`, or install your distribution's redis-server package (e.g. `apt-get install redis-server`), or set REDIS_URL.",
    );
  });
});
