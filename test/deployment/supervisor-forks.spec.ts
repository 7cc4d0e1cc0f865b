import cluster, { Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';

const { Supervisor } = require('../../scripts/lib/supervisor');

/** A cluster worker whose process never spawned: no pid, and an error instead of an exit. */
const unspawned = () => Object.assign(new EventEmitter(), { process: { pid: undefined, kill: () => false } }) as unknown as Worker;

describe('the supervisor when a process cannot be started', () => {
  let forks: Worker[];
  let said: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    forks = [];
    said = [];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  const supervise = () => new Supervisor({ main: 'main.js', api: 0, workers: 1, say: (line: string) => said.push(line) });

  it('tries again, later each time, when the fork reports a spawn error', () => {
    jest.spyOn(cluster, 'fork').mockImplementation(() => {
      forks.push(unspawned());
      return forks[forks.length - 1];
    });
    supervise().start();
    forks[0].emit('error', new Error('spawn EAGAIN'));
    jest.advanceTimersByTime(250);
    expect(forks).toHaveLength(2);
    forks[1].emit('error', new Error('spawn EAGAIN'));
    jest.advanceTimersByTime(250);
    expect(forks).toHaveLength(2);
    jest.advanceTimersByTime(250);
    expect(forks).toHaveLength(3);
    expect(said).toContain('could not start a worker process (spawn EAGAIN); starting another in 250 ms');
  });

  it('stops at once after a spawn error, waiting for no process that never started', async () => {
    jest.spyOn(cluster, 'fork').mockImplementation(() => {
      forks.push(unspawned());
      return forks[forks.length - 1];
    });
    const supervisor = supervise();
    supervisor.start();
    forks[0].emit('error', new Error('spawn EAGAIN'));
    const stopped = supervisor.stop();
    let settled = false;
    void stopped.then(() => (settled = true));
    // Nothing is left to end: the stop resolves at once, with no timer run.
    await jest.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    await expect(stopped).resolves.toBe(true);
    jest.advanceTimersByTime(250);
    expect(forks).toHaveLength(1);
  });

  it('tries again when the fork throws', () => {
    jest
      .spyOn(cluster, 'fork')
      .mockImplementationOnce(() => {
        throw new Error('spawn ENOMEM');
      })
      .mockImplementation(() => {
        forks.push(unspawned());
        return forks[forks.length - 1];
      });
    supervise().start();
    jest.advanceTimersByTime(250);
    expect(forks).toHaveLength(1);
    expect(said[0]).toBe('could not start a worker process (spawn ENOMEM); starting another in 250 ms');
  });
});

describe('the supervisor stopping its processes', () => {
  let said: string[];
  let child: Worker & { process: { kill: jest.Mock } };

  beforeEach(() => {
    jest.useFakeTimers();
    said = [];
    child = Object.assign(new EventEmitter(), { process: { pid: 4242, kill: jest.fn() } }) as unknown as typeof child;
    jest.spyOn(cluster, 'fork').mockImplementation(() => child);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  const supervise = () => {
    const supervisor = new Supervisor({ main: 'main.js', api: 1, workers: 0, say: (line: string) => said.push(line) });
    supervisor.start();
    return supervisor;
  };

  it('says so, and answers false, when it has to kill a process that outlived its grace period', async () => {
    const stopped = supervise().stop();
    expect(child.process.kill).toHaveBeenCalledWith('SIGTERM');
    jest.advanceTimersByTime(15_000);
    expect(child.process.kill).toHaveBeenCalledWith('SIGKILL');
    child.emit('exit', null, 'SIGKILL');
    expect(await stopped).toBe(false);
    expect(said).toEqual(expect.arrayContaining(['api process 4242 did not stop within 15 s: killing it', 'api process 4242 exited (SIGKILL) while stopping']));
  });

  it('answers true, and says nothing more, when every process ends by the SIGTERM it was sent', async () => {
    const stopped = supervise().stop();
    child.emit('exit', null, 'SIGTERM');
    expect(await stopped).toBe(true);
    expect(said).toEqual(['running 1 api and 0 worker process(es)']);
  });

  it('says so when a process exits with an error while stopping', async () => {
    const stopped = supervise().stop();
    child.emit('exit', 1, null);
    expect(await stopped).toBe(true);
    expect(said).toContain('api process 4242 exited (code 1) while stopping');
  });
});
