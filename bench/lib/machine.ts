/**
 * What the report says about the machine. The same 2-core machine measured one and a half to two times
 * apart on different days under the same "AMD EPYC" name, so the report names the CPU's family and model
 * where the kernel tells them, and times two fixed pieces of single-core work, for figures of different days
 * to be read against the machine they came from: JavaScript's own work, and a system call, which a server
 * on loopback makes several of per request and whose cost differs between hosts far more.
 */
import { hash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

const CALIBRATION_RUNS = 25;
const PAPERS_PER_RUN = 4_000;
const WRITES_PER_RUN = 2_000;
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
 * Microseconds `work` takes, the fastest of CALIBRATION_RUNS short runs of `times` calls, lower is faster.
 * The fastest, as other work on a shared machine only ever slows a run down: on one host within half an
 * hour the median of five runs of 20,000 papers read 6.3 to 9.3 µs, the fastest of these 5.7 to 6.6.
 */
function fastestMicroseconds(times: number, work: (index: number) => void): number {
  const runs: number[] = [];
  for (let run = 0; run < CALIBRATION_RUNS; run += 1) {
    const started = performance.now();
    for (let index = 0; index < times; index += 1) work(index);
    runs.push(((performance.now() - started) * 1000) / times);
  }
  return Math.min(...runs);
}

/** Microseconds one core takes to serialise, parse and hash an ~800-character paper. */
export function calibrationMicroseconds(): number {
  return fastestMicroseconds(PAPERS_PER_RUN, (paper) => {
    const body = JSON.stringify({ ...PAPER, tag: paper });
    hash('sha256', (JSON.parse(body) as typeof PAPER).text);
  });
}

/**
 * Microseconds a one-byte write to /dev/null takes from JavaScript, or undefined where there is none: a
 * system call's cost, kernel entry and exit included, which virtualisation and page-table isolation raise
 * whatever the speed of the core.
 */
export function systemCallMicroseconds(): number | undefined {
  let nullDevice: number;
  try {
    nullDevice = openSync('/dev/null', 'w');
  } catch {
    return undefined;
  }
  const byte = Buffer.from('x');
  try {
    return fastestMicroseconds(WRITES_PER_RUN, () => writeSync(nullDevice, byte));
  } finally {
    closeSync(nullDevice);
  }
}

export function machineDescription(): string {
  const cores = cpus();
  const identity = cpuIdentity(readCpuinfo());
  const cpu = `${cores[0]?.model.trim() ?? 'unknown CPU'}${identity ? ` (${identity})` : ''}`;
  const paper = `one core serialises, parses and hashes an ~800-character paper in ${calibrationMicroseconds().toFixed(2)} µs`;
  const systemCall = systemCallMicroseconds();
  const write = systemCall === undefined ? '' : `, writes a byte to /dev/null in ${systemCall.toFixed(2)} µs`;
  return `${cores.length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}; ${paper}${write}`;
}
