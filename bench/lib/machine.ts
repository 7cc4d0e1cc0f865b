/**
 * What the report says about the machine. The same 2-core machine measured one and a half to two times
 * apart on different days under the same "AMD EPYC" name, so the report names the CPU's family and model
 * where the kernel tells them, and times a fixed piece of single-core work, for figures of different days
 * to be read against the machine they came from.
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

const CALIBRATION_RUNS = 5;
const PAPERS_PER_RUN = 20_000;
/** An ~800-character text like the benches' papers, built once: the work timed is what a submission costs. */
const PAPER = { text: Array.from({ length: 100 }, (_, index) => `word${index % 37}`).join(' ').padEnd(800, ' x') };

/** `cpu family`, `model` and `stepping` of the first CPU in /proc/cpuinfo, or undefined off Linux. */
export function cpuIdentity(cpuinfo: string): string | undefined {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(\\S+)`, 'm').exec(cpuinfo)?.[1];
  const [family, model, stepping] = [field('cpu family'), field('model'), field('stepping')];
  return family && model ? `family ${family}, model ${model}${stepping ? `, stepping ${stepping}` : ''}` : undefined;
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Microseconds one core takes to serialise, parse and hash an ~800-character paper: the median of
 * CALIBRATION_RUNS runs, lower is faster.
 */
export function calibrationMicroseconds(): number {
  const runs: number[] = [];
  for (let run = 0; run < CALIBRATION_RUNS; run += 1) {
    const started = performance.now();
    for (let paper = 0; paper < PAPERS_PER_RUN; paper += 1) {
      const body = JSON.stringify({ ...PAPER, tag: paper });
      hash('sha256', (JSON.parse(body) as typeof PAPER).text);
    }
    runs.push(((performance.now() - started) * 1000) / PAPERS_PER_RUN);
  }
  return runs.sort((a, b) => a - b)[CALIBRATION_RUNS >> 1];
}

export function machineDescription(): string {
  const cores = cpus();
  const identity = cpuIdentity(readCpuinfo());
  const cpu = `${cores[0]?.model.trim() ?? 'unknown CPU'}${identity ? ` (${identity})` : ''}`;
  const calibration = `one core serialises, parses and hashes an ~800-character paper in ${calibrationMicroseconds().toFixed(2)} µs`;
  return `${cores.length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}; ${calibration}`;
}
