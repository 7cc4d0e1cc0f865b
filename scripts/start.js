#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the launcher for people. Builds when the build is missing or stale, brings a private
 * Redis when none is configured or running, then runs the service and stops everything it started
 * on SIGINT or SIGTERM.
 */
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');
const { MAIN, ROOT, build, buildIsStale } = require('./lib/build');
const { DEFAULT_REDIS, redisAnswers, startPrivateRedis, stopProcess } = require('./lib/private-redis');

function say(message) {
  process.stderr.write(`[start] ${message}\n`);
}

async function main() {
  if (existsSync(path.join(ROOT, '.env'))) process.loadEnvFile(path.join(ROOT, '.env'));
  if (buildIsStale()) {
    say('building (dist is missing or older than src)...');
    const status = build();
    if (status !== 0) process.exit(status);
  }

  const needsPrivateRedis = !process.env.REDIS_URL && !(await redisAnswers(DEFAULT_REDIS));
  const redis = needsPrivateRedis ? await startPrivateRedis(say) : undefined;
  if (needsPrivateRedis && !redis) process.exit(1);

  const service = spawn(process.execPath, [MAIN], { cwd: ROOT, stdio: 'inherit', env: process.env });
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping...`);
    service.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  service.once('exit', async (code, signal) => {
    await stopProcess(redis);
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
  });
}

void main();
