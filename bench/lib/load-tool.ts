/** A load generator run as a child process (wrk, h2load). */
import { spawn } from 'node:child_process';

export interface LoadToolRun {
  /** Sends SIGINT: wrk then prints its figures and exits 0; h2load just ends, and `output` rejects. */
  stop(): void;
  /** Its stdout and stderr together once it exits 0; rejects with their tail otherwise. */
  output: Promise<string>;
}

export function runLoadTool(command: string, args: readonly string[]): LoadToolRun {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const finished = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} exited (${code ?? signal}):\n${output.trim().slice(-2_000)}`));
    });
  });
  return { stop: () => child.kill('SIGINT'), output: finished };
}
