'use strict';
/** The e2e tests need Redis on 127.0.0.1:6379: use the one running, or start a private one for the run. */
const { DEFAULT_REDIS, redisAnswers, startPrivateRedis } = require('../../scripts/lib/private-redis');

module.exports = async function startRedisIfNeeded() {
  if (await redisAnswers(DEFAULT_REDIS)) return;
  // In memory only: a test run must not write into the data npm start keeps under data/redis.
  const redis = await startPrivateRedis((message) => process.stderr.write(`[test setup] ${message}\n`), { persistent: false });
  if (!redis) throw new Error('The tests need Redis on 127.0.0.1:6379 and none could be started.');
  globalThis.privateRedis = redis;
};
