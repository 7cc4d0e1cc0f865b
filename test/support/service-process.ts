import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');
const MAIN = join(PROJECT_ROOT, 'dist', 'main.js');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL if the process has not exited within the 15 s `npm start` would give it. */
  stop(): Promise<number | null>;
}

const STOP_GRACE_MS = 15_000;

/** Runs `node dist/main.js` as production does, with only the given environment on top of PATH. */
export function spawnMain(environment: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const [code] = await once(child, 'exit');
      clearTimeout(kill);
      return code as number | null;
    },
  };
}

/** Resolves once the process has printed a line matching `ready`; rejects if it exits or takes too long. */
export async function waitForOutput(service: ServiceProcess, ready: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(service.output())) {
    if (service.child.exitCode !== null) throw new Error(`process exited (${service.child.exitCode}):\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${ready} within ${timeoutMs} ms:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitForExit(service: ServiceProcess, timeoutMs = 10_000): Promise<number | null> {
  if (service.child.exitCode !== null) return service.child.exitCode;
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(service.child, 'exit');
  clearTimeout(timer);
  return code as number | null;
}
