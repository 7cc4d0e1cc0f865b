#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the launcher for people. Builds when the build is missing or stale, brings a private
 * Redis when none is configured or running, checks the configuration, then supervises WEB_CONCURRENCY
 * API processes sharing PORT and WORKER_CONCURRENCY workers. SIGINT or SIGTERM stops everything it started.
 */
const { existsSync } = require('node:fs');
const path = require('node:path');
const { MAIN, ROOT, build, buildIsStale } = require('./lib/build');
const { DEFAULT_REDIS, redisAnswers, startPrivateRedis, stopProcess } = require('./lib/private-redis');
const { Supervisor } = require('./lib/supervisor');

function say(message) {
  process.stderr.write(`[start] ${message}\n`);
}

function ensureBuilt() {
  if (!buildIsStale()) return;
  say('building (dist is missing or older than src)...');
  const status = build();
  if (status !== 0) process.exit(status);
}

/** The service's own configuration check, so a bad value stops here with its one line, not in every child. */
async function checkConfiguration() {
  const { loadAppConfig } = require(path.join(ROOT, 'dist', 'config', 'app-config'));
  const { assertRedisReachable } = require(path.join(ROOT, 'dist', 'redis', 'assert-redis-reachable'));
  try {
    const config = loadAppConfig();
    await assertRedisReachable(config.redis.url);
    return config;
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

async function main() {
  if (existsSync(path.join(ROOT, '.env'))) process.loadEnvFile(path.join(ROOT, '.env'));
  ensureBuilt();

  const needsPrivateRedis = !process.env.REDIS_URL && !(await redisAnswers(DEFAULT_REDIS));
  const redis = needsPrivateRedis ? await startPrivateRedis(say) : undefined;
  if (needsPrivateRedis && !redis) process.exit(1);

  const config = await checkConfiguration();
  if (!config) {
    await stopProcess(redis);
    process.exit(1);
  }

  const supervisor = new Supervisor({ main: MAIN, api: config.processes.api, workers: config.processes.workers, say });
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping...`);
    await supervisor.stop();
    await stopProcess(redis);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  supervisor.start();
}

void main();
