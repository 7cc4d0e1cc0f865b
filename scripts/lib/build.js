'use strict';
/** Compiles src/ into dist/ and tells whether dist/ is older than what it is built from. */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');
const SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => path.join(ROOT, name));

function newestChange(entry) {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

function buildIsStale() {
  return !existsSync(MAIN) || statSync(MAIN).mtimeMs < Math.max(...SOURCES.map(newestChange));
}

/** Returns the compiler's exit status. */
function build() {
  const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status === 0) {
    // An incremental build leaves unchanged outputs untouched: date main.js so the build counts as fresh.
    const now = new Date();
    utimesSync(MAIN, now, now);
  }
  return result.status ?? 1;
}

module.exports = { MAIN, ROOT, build, buildIsStale };
