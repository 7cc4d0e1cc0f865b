/**
 * The benches' report: docs/benchmarks.md (one section per bench, rewritten by its command) and
 * docs/benchmarks.json (the latest figures per bench), with the formatting both share.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuShare } from './cpu';
import type { AcceptQueue } from './accept-queue';
import type { LoadFigures } from './load';
import { log } from './log';
import { machineDescription } from './machine';
import { ROOT } from './paths';

const REPORT = join(ROOT, 'docs', 'benchmarks.md');
const JSON_REPORT = join(ROOT, 'docs', 'benchmarks.json');
const HEADER = '# Benchmarks\n\nEach section is rewritten by the command it names; figures from one run are measured side by side.\n';

export const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** For docs/benchmarks.json: `digits` decimals, null for a figure that could not be measured. */
export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);

export const describeCodes = (codes: Record<string, number>) =>
  Object.keys(codes).length === 0
    ? 'none'
    : Object.entries(codes)
        .map(([code, count]) => `${code}: ${fmt(count)}`)
        .join(', ');

/** The middle value, or the mean of the two middle values of an even count; values that are not finite are left out. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Which build of the service was measured: the commit, and whether src/ had uncommitted changes (read-only git). */
export function serviceRevision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown revision';
  // What runs is the service (src/), how npm start runs it (scripts/) and what measures it (bench/).
  const changed = ['src', 'scripts', 'bench'].filter((folder) => git('status', '--porcelain', '--', folder).stdout.trim() !== '');
  return `commit ${head.stdout.trim()}${changed.length > 0 ? ` + uncommitted changes in ${changed.map((folder) => `${folder}/`).join(', ')}` : ''}`;
}

/** The command as the user typed it, for the report. */
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return args.length > 0 ? `npm run ${script} -- ${args.join(' ')}` : `npm run ${script}`;
}

/** What the timeouts at thousands of connections are, as measured with `ss -tnp` during runs (see the report). */
export function timeoutNote(connections: number, timeoutSeconds: number, withBaseline: boolean): string {
  return [
    'Node 20\'s libuv accepts one connection each time it polls a listening descriptor readable, and under this load a poll round lasts tens of milliseconds.',
    ...(withBaseline
      ? [
          `The baseline listens through one descriptor: of ${fmt(connections)} connections opened at once, those it has not accepted when the first requests`,
          'fill its event loop stay in the kernel accept queue, their requests unanswered for the rest of the run (the accept-queue column).',
        ]
      : []),
    'The service\'s api processes accept through 16 descriptors each, and through 240 more while 256 or more connections wait (src/http/extra-acceptors.ts).',
    `Timeouts are requests that waited in that queue more than ${timeoutSeconds} s.`,
  ].join(' ');
}

/** The accept-queue column: its largest sampled length and its length as the load stopped. */
export const describeAcceptQueue = (queue: AcceptQueue | undefined) =>
  queue ? `${fmt(queue.max)} / ${fmt(queue.atEnd)}${queue.overflows === undefined ? '' : `, ${fmt(queue.overflows)} overflows`}` : 'not read';

export const ACCEPT_QUEUE_NOTE =
  'Accept queue: connections the kernel completed and no server process had accepted, sampled each second with ' +
  '`ss -ltn`, largest / as the load stopped. Each holds a request the client is timing; those left at the end were ' +
  'answered neither within the run nor as timeouts, so they are in no latency figure. Overflows: handshake packets ' +
  '(SYNs, and final ACKs or the requests sent after them) the kernel dropped because a listen queue was full, from ' +
  'TcpExt ListenOverflows over the run; it counts every listening socket on the machine, and a client that retries ' +
  'is counted each time, so it is not a number of clients.';

/** One load run's figures as docs/benchmarks.json records them. */
export function runJson({ figures, cpu, acceptQueue }: { figures: LoadFigures; cpu: CpuShare; acceptQueue?: AcceptQueue }) {
  return {
    answers_per_s: round(figures.answersPerSecond),
    latency_ms: { p50: figures.p50, p90: figures.p90, p99: figures.p99, max: figures.max },
    status_codes: figures.statusCodes,
    socket_errors: figures.errors,
    timeouts: figures.timeouts,
    accept_queue: acceptQueue ?? null,
    cpu_cores: Object.fromEntries(Object.entries(cpu.usage).map(([label, cores]) => [label, round(cores, 2)])),
  };
}

/** Replaces (or appends) the section `name` of docs/benchmarks.md, leaving the others as they are. */
export function writeReportSection(name: string, command: string, body: string, machine = machineDescription()): void {
  const begin = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const section = [begin, `## ${command}`, '', `Machine: ${machine}. Date: ${new Date().toISOString()}.`, '', body.trim(), end].join('\n');
  const current = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(REPORT, next);
}

/** Replaces the section `name` of docs/benchmarks.json (a small object of the latest figures per bench). */
function writeJsonSection(name: string, data: unknown): void {
  const current = existsSync(JSON_REPORT) ? (JSON.parse(readFileSync(JSON_REPORT, 'utf8')) as Record<string, unknown>) : {};
  current[name] = data;
  writeFileSync(JSON_REPORT, `${JSON.stringify(current, null, 2)}\n`);
}

/** Options that say where a run happens, not what it measures. */
const PLACE_OPTIONS = ['port', 'baseline-port'];

/**
 * The options of this run that differ from their defaults, but those that only say where it runs and
 * `sectionOptions`, which choose the section it belongs to: a run with any other is printed, not written.
 */
export function nonDefaultOptions(
  options: Record<string, { type: string; default?: string | boolean }>,
  values: Record<string, unknown>,
  sectionOptions: readonly string[] = [],
): string[] {
  return Object.entries(options)
    .filter(([name, { default: byDefault }]) => !PLACE_OPTIONS.includes(name) && !sectionOptions.includes(name) && values[name] !== byDefault)
    .map(([name]) => `--${name}`);
}

/**
 * Prints a load bench's report and records it: `body` as the section `name` of docs/benchmarks.md under the
 * heading `npm run <script>`, and `figures`, after the run's date, machine, command and service revision, as
 * the section `name` of docs/benchmarks.json. A run with `changedOptions` is only printed: the committed section
 * documents the bench as its command runs it, and an experiment must not replace it.
 */
export function publishReport(
  name: string,
  script: string,
  body: string,
  figures: { command: string; service: string } & Record<string, unknown>,
  changedOptions: readonly string[] = [],
): void {
  const machine = machineDescription();
  process.stdout.write(`\nMachine: ${machine}.\n\n${body}\n`);
  if (changedOptions.length > 0) {
    log(`not written to docs/ (${changedOptions.join(', ')} changed from the defaults)`);
    return;
  }
  writeReportSection(name, `npm run ${script}`, body, machine);
  writeJsonSection(name, { date: new Date().toISOString(), machine, ...figures });
  log(`wrote docs/benchmarks.md (${name}) and docs/benchmarks.json`);
}
