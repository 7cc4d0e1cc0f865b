#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the launcher for people. Builds when the build is missing or stale, brings a private
 * Redis when none is configured or running, then runs the service and stops everything it started
 * on SIGINT or SIGTERM.
 */
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { DEFAULT_REDIS, redisAnswers, startPrivateRedis, stopProcess } = require('./lib/private-redis');

const ROOT = path.join(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');

function say(message) {
  process.stderr.write(`[start] ${message}\n`);
}

function newestChange(entry) {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

function buildIfStale() {
  const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => path.join(ROOT, name));
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= Math.max(...sources.map(newestChange))) return;
  say('building (dist is missing or older than src)...');
  const build = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

async function main() {
  if (existsSync(path.join(ROOT, '.env'))) process.loadEnvFile(path.join(ROOT, '.env'));
  buildIfStale();

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
