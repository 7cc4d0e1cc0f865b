/** CPU accounting from /proc: who used the machine's cores during a load run. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * A process's parent and CPU ticks (user + system, its own and its children's that have ended and been
 * waited for), or undefined once it is gone.
 */
export function procStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren...). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process's role for the report: APP_ROLE from its environment for the service's children. */
export function roleOf(pid: number, fallback: string): string {
  try {
    const role = /(?:^|\0)APP_ROLE=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1];
    return role ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Machine-wide ticks from /proc/stat. This kernel accounts CPU by ticks without IRQ_TIME_ACCOUNTING, so
 * interrupt and softirq time (most of loopback TCP) is also charged to whichever process it interrupted:
 * `interrupts` is shown as a share already counted in the figures, not added to them. Steal is not busy.
 */
function systemBusyTicks(): { busy: number; total: number; interrupts: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3] - fields[4] - fields[7], total, interrupts: fields[5] + fields[6], steal: fields[7] };
}

export interface CpuShare {
  /** The machine's cores. */
  cores: number;
  /** Cores used on average during the run, per group (client, server roles, redis, everything else). */
  usage: Record<string, number>;
  /** Of all that, cores spent in irq/softirq context (machine-wide), and cores stolen by the hypervisor. */
  interrupts: number;
  steal: number;
}

export class CpuSampler {
  private startTicks = new Map<number, number>();
  private labels = new Map<number, string>();
  private startedAt = 0;
  private system = { busy: 0, total: 0, interrupts: 0, steal: 0 };

  constructor(private readonly groups: () => Record<string, number[]>) {}

  start(): void {
    this.startedAt = performance.now();
    this.system = systemBusyTicks();
    for (const [label, pids] of Object.entries(this.groups())) {
      pids.forEach((pid, index) => {
        const stat = procStat(pid);
        if (!stat) return;
        this.startTicks.set(pid, stat.ticks);
        // In the server group the first pid is the process started; with children of its own it is their supervisor.
        const fallback = index === 0 && pids.length > 1 ? 'primary' : 'server';
        this.labels.set(pid, label === 'server' ? roleOf(pid, fallback) : label);
      });
    }
  }

  stop(): CpuShare {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const usage: Record<string, number> = {};
    let ours = 0;
    for (const [pid, before] of this.startTicks) {
      const after = procStat(pid)?.ticks ?? before;
      const label = this.labels.get(pid)!;
      const cores = (after - before) / CLOCK_TICKS / wallSeconds;
      usage[label] = (usage[label] ?? 0) + cores;
      ours += cores;
    }
    const system = systemBusyTicks();
    const cores = Math.max(1, Math.round((system.total - this.system.total) / CLOCK_TICKS / wallSeconds));
    const perSecond = (ticks: number) => ticks / CLOCK_TICKS / wallSeconds;
    usage.other = Math.max(0, perSecond(system.busy - this.system.busy) - ours);
    return { cores, usage, interrupts: perSecond(system.interrupts - this.system.interrupts), steal: perSecond(system.steal - this.system.steal) };
  }
}

/** Cores busy machine-wide over `ms` before a run: other people's work on a shared machine skews every figure. */
export async function backgroundLoad(ms = 2_000): Promise<number> {
  const before = systemBusyTicks();
  await sleep(ms);
  const after = systemBusyTicks();
  const busy = (after.busy - before.busy) / CLOCK_TICKS / (ms / 1000);
  log(`background load before the run: ${busy.toFixed(2)} cores busy${busy > 0.25 ? ' — the machine is not idle; figures will be lower than on a quiet machine' : ''}`);
  return busy;
}

/** Cores the server under test used: every group but the load generator, Redis and the other processes. */
export function serverCores(share: CpuShare): number {
  return Object.entries(share.usage)
    .filter(([label]) => !['client', 'redis', 'other'].includes(label))
    .reduce((sum, [, cores]) => sum + cores, 0);
}

export function describeCpu(share: CpuShare): string {
  const order = ['client', 'primary', 'all', 'api', 'worker', 'server', 'redis', 'other'];
  const names: Record<string, string> = { client: 'load generator (with the bench process)', primary: 'supervisor', all: 'server', api: 'api processes', worker: 'worker', server: 'server', redis: 'redis-server', other: 'other processes' };
  const parts = Object.entries(share.usage)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([label, cores]) => `${names[label] ?? label} ${cores.toFixed(2)}`);
  const total = Object.values(share.usage).reduce((sum, value) => sum + value, 0);
  const extra = [`${share.interrupts.toFixed(2)} of it in irq/softirq`, ...(share.steal >= 0.01 ? [`${share.steal.toFixed(2)} stolen`] : [])];
  return `${parts.join(', ')} (total ${total.toFixed(2)} of ${share.cores} cores; ${extra.join(', ')})`;
}
