'use strict';
const { stopProcess } = require('../../scripts/lib/private-redis');

module.exports = async function stopPrivateRedis() {
  await stopProcess(globalThis.privateRedis);
};
