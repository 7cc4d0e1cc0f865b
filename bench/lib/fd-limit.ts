/** File descriptors: the load generator holds one socket per connection, the server as many again. */
import { spawnSync } from 'node:child_process';
import { log } from './log';
import { ROOT } from './paths';
import { fmt } from './report';

function shellLimits(): { soft: number; hard: number } {
  const out = spawnSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const parse = (value: string | undefined) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
  return { soft: parse(out[0]), hard: parse(out[1]) };
}

interface FdLimit {
  soft: number;
  hard: number;
  needed: number;
  text: string;
}

/**
 * RLIMIT_NOFILE is per process: the load client holds `connections` sockets (autocannon in this process, wrk
 * in a child with this process's limits) and the server under test accepts as many, so each side needs
 * `connections` fds plus room for the rest (Redis connections, files, the listening sockets): 2 × connections
 * across the two, `connections + 1024` per process.
 * When the soft limit is too low, re-executes the bench script under `bash -c 'ulimit -n …'` (possible up to the
 * hard limit, or beyond it as root), or says what to run and stops.
 */
export function ensureFdLimit(connections: number): FdLimit {
  const needed = connections + 1024;
  const { soft, hard } = shellLimits();
  const text = `ulimit -n ${soft === Number.POSITIVE_INFINITY ? 'unlimited' : soft} (hard ${hard === Number.POSITIVE_INFINITY ? 'unlimited' : hard})`;
  log(`${text}; ${fmt(connections)} connections need ≥ ${fmt(needed)} fds in the client and in the server process each (${fmt(2 * connections)} sockets in all; Node lifts its own soft limit to the hard one)`);
  if (soft >= needed) return { soft, hard, needed, text };

  if (process.env.RPA_BENCH_FD_RAISED) throw new Error(`the fd limit is still ${soft} after raising it; need ${needed}`);
  const target = hard >= needed ? Math.min(hard, Math.max(needed, 65536)) : Math.max(needed, 65536);
  const raise = hard >= target ? `ulimit -Sn ${target}` : `ulimit -n ${target}`;
  if (spawnSync('bash', ['-c', raise], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `the fd limit (${soft}, hard ${hard}) is below the ${needed} this run needs and cannot be raised from here. ` +
        `Run \`ulimit -n ${target}\` in a root shell (or raise nofile in /etc/security/limits.conf / the container's --ulimit), or use fewer --connections.`,
    );
  }
  log(`raising the limit: re-running under \`bash -c '${raise} && exec …'\``);
  // process.argv[1] is the bench script ts-node runs (this module is only its helper).
  const argv = [process.execPath, '-r', 'ts-node/register/transpile-only', process.argv[1], ...process.argv.slice(2)];
  const result = spawnSync('bash', ['-c', `${raise} && exec "$0" "$@"`, ...argv], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, RPA_BENCH_FD_RAISED: '1', TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  process.exit(result.status ?? 1);
}
