import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const REPORT = join(__dirname, '..', 'docs', 'benchmarks.md');
const HEADER = '# Benchmarks\n\nEach section is rewritten by the command it names; figures from one run are measured side by side.\n';

export function machineDescription(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Replaces (or appends) the section `name` of docs/benchmarks.md, leaving the others as they are. */
export function writeReportSection(name: string, command: string, body: string): void {
  const begin = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const section = [begin, `## ${command}`, '', `Machine: ${machineDescription()}. Date: ${new Date().toISOString()}.`, '', body.trim(), end].join('\n');
  const current = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(REPORT, next);
}
