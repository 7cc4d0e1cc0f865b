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
const { DEFAULT_REDIS, leftoverPrivateRedis, redisAnswers, startPrivateRedis, stopPid, stopProcess } = require('./lib/private-redis');
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
  try {
    const { loadAppConfig } = require(path.join(ROOT, 'dist', 'config', 'app-config'));
    const { assertRedisReachable } = require(path.join(ROOT, 'dist', 'redis', 'assert-redis-reachable'));
    const config = loadAppConfig();
    await assertRedisReachable(config.redis.url);
    return config;
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

/** Signals that stop the launcher, SIGHUP for a closed terminal or SSH session. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let supervisor;
/** Stops the private Redis this launcher started or took over, if any. */
let stopPrivateRedis = async () => undefined;
let stopping = false;

/** Stops the service processes, then the private Redis they used, if this launcher started one. */
async function stop(reason, code = 0) {
  if (stopping) return;
  stopping = true;
  say(`${reason}: stopping...`);
  const stoppedAsTold = (await supervisor?.stop()) ?? true;
  await stopPrivateRedis();
  process.exit(code || (stoppedAsTold ? 0 : 1));
}

async function main() {
  // Listening before anything starts, so that no signal leaves a private Redis behind.
  STOP_SIGNALS.forEach((signal) => process.on(signal, () => void stop(signal)));
  // A closed terminal fails every write with EIO: the launcher must still stop what it started.
  [process.stdout, process.stderr].forEach((stream) => stream.on('error', () => undefined));
  if (existsSync(path.join(ROOT, '.env'))) process.loadEnvFile(path.join(ROOT, '.env'));
  ensureBuilt();

  const leftover = process.env.REDIS_URL ? undefined : leftoverPrivateRedis();
  if (leftover !== undefined && (await redisAnswers(DEFAULT_REDIS))) {
    say(`the private Redis an earlier launcher started is still running (pid ${leftover}): using it, and stopping it at the end`);
    stopPrivateRedis = () => stopPid(leftover);
  } else if (!process.env.REDIS_URL && !(await redisAnswers(DEFAULT_REDIS))) {
    const started = await startPrivateRedis(say, { onSpawn: (redis) => (stopPrivateRedis = () => stopProcess(redis)) });
    if (stopping) return;
    if (!started) process.exit(1);
  }

  const config = await checkConfiguration();
  if (stopping) return;
  if (!config) {
    await stopPrivateRedis();
    process.exit(1);
  }

  supervisor = new Supervisor({ main: MAIN, api: config.processes.api, workers: config.processes.workers, say });
  supervisor.start();
}

main().catch((error) => stop(`the launcher failed (${error.stack ?? error})`, 1));
