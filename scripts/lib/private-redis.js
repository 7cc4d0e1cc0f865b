'use strict';
/** A private redis-server for machines where none runs: used by `npm start` and by the test setup. */
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 };
const PRIVATE_REDIS_DIR = path.join(__dirname, '..', '..', 'data', 'redis');

/** True when something at host:port answers a Redis PING. */
function redisAnswers({ host, port }, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

function hasRedisServer() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

async function startPrivateRedis(say) {
  if (!hasRedisServer()) {
    say('No Redis answers on 127.0.0.1:6379 and no redis-server is installed: run `docker compose up -d redis`, or install your distribution\'s redis-server package (e.g. `apt-get install redis-server`), or set REDIS_URL.');
    return undefined;
  }
  mkdirSync(PRIVATE_REDIS_DIR, { recursive: true });
  const { host, port } = DEFAULT_REDIS;
  const redis = spawn('redis-server', ['--bind', host, '--port', String(port), '--dir', PRIVATE_REDIS_DIR, '--appendonly', 'yes', '--save', ''], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let waited = 0; !(await redisAnswers(DEFAULT_REDIS)); waited += 100) {
    if (redis.exitCode !== null || waited > 5_000) {
      say(`the private redis-server did not start (exit code ${redis.exitCode})`);
      await stopProcess(redis);
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`started a private Redis on ${host}:${port} (data in ${path.relative(process.cwd(), PRIVATE_REDIS_DIR)})`);
  return redis;
}

function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

module.exports = { DEFAULT_REDIS, redisAnswers, startPrivateRedis, stopProcess };
