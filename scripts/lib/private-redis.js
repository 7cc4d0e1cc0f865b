'use strict';
/** A private redis-server for machines where none runs: used by `npm start` and by the test setup. */
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, realpathSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');

const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 };
const PRIVATE_REDIS_DIR = path.join(__dirname, '..', '..', 'data', 'redis');
/** Written by the private redis-server, so that a launcher can find one an earlier launcher left running. */
const PIDFILE = path.join(PRIVATE_REDIS_DIR, 'redis.pid');

/** What something at host:port answers a Redis PING with (`+PONG`, `-LOADING ...`), or undefined when nothing does. */
function pingReply({ host, port }, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (reply) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString()));
  });
}

/** True when something at host:port answers a Redis PING. */
async function redisAnswers(address) {
  return (await pingReply(address))?.startsWith('+PONG') ?? false;
}

function hasRedisServer() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Starts redis-server on 127.0.0.1:6379 and waits until it answers. `persistent` (npm start) keeps an
 * append-only file under data/redis; otherwise (a test run) nothing is written anywhere. `onSpawn` gets the
 * process at once, so that it can be stopped while it is still starting.
 */
async function startPrivateRedis(say, { persistent = true, onSpawn = () => undefined } = {}) {
  if (!hasRedisServer()) {
    say('No Redis answers on 127.0.0.1:6379 and no redis-server is installed: run `docker compose up -d redis`, or install your distribution\'s redis-server package (e.g. `apt-get install redis-server`), or set REDIS_URL.');
    return undefined;
  }
  const { host, port } = DEFAULT_REDIS;
  if (persistent) mkdirSync(PRIVATE_REDIS_DIR, { recursive: true });
  const storage = persistent ? ['--dir', PRIVATE_REDIS_DIR, '--appendonly', 'yes', '--pidfile', PIDFILE] : ['--dir', tmpdir(), '--appendonly', 'no'];
  const redis = spawn('redis-server', ['--bind', host, '--port', String(port), ...storage, '--save', ''], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // npm start's gets a group of its own: Ctrl-C in the terminal reaches the launcher alone, which stops
    // Redis last, once the processes using it have finished. A test run's stays in the group, so Ctrl-C
    // ends it even when the test runner stops before its teardown.
    detached: persistent,
  });
  onSpawn(redis);
  let saidLoading = false;
  for (let waited = 0; ; waited += 100) {
    const reply = await pingReply(DEFAULT_REDIS);
    if (reply?.startsWith('+PONG')) break;
    // A large append-only file takes a while to load; Redis answers LOADING meanwhile, and is worth waiting for.
    const loading = reply?.startsWith('-LOADING') ?? false;
    if (loading && !saidLoading) {
      say('the private Redis is loading its data...');
      saidLoading = true;
    }
    if (redis.exitCode !== null || (!loading && waited > 5_000)) {
      say(`the private redis-server did not start (exit code ${redis.exitCode})`);
      await stopProcess(redis);
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`started a private Redis on ${host}:${port} (${persistent ? `data in ${path.relative(process.cwd(), PRIVATE_REDIS_DIR)}` : 'kept in memory only'})`);
  return redis;
}

/** On SIGTERM Redis at most flushes its append-only file: one not gone after this long is stuck. */
const REDIS_STOP_GRACE_MS = 10_000;


/**
 * The pid of a private redis-server an earlier launcher started and could not stop (it was killed): the one in
 * the pidfile, if it is still a redis-server working in the private data directory. Undefined otherwise, and
 * where /proc cannot tell.
 */
function leftoverPrivateRedis() {
  try {
    const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
    const isRedis = readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis-server');
    return isRedis && realpathSync(`/proc/${pid}/cwd`) === realpathSync(PRIVATE_REDIS_DIR) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` (0 only asks whether the process is there); false once the process is gone. */
const signalled = (pid, signal) => {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM, then SIGKILL if the process has not gone within REDIS_STOP_GRACE_MS; resolves once it is gone. */
async function stopPid(pid) {
  if (!signalled(pid, 'SIGTERM')) return;
  const deadline = Date.now() + REDIS_STOP_GRACE_MS;
  while (signalled(pid, 0)) {
    if (Date.now() > deadline) signalled(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** stopPid for a process this one started, unless it never started or has exited. */
function stopProcess(child) {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return stopPid(child.pid);
}

module.exports = { DEFAULT_REDIS, leftoverPrivateRedis, redisAnswers, startPrivateRedis, stopPid, stopProcess };
