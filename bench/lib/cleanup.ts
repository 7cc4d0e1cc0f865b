/**
 * Cleanup on error and on Ctrl-C: every process this bench starts registers how to stop it, and the load run
 * in progress is stopped first.
 */
import { log } from './log';

const cleanups = new Set<() => Promise<void>>();
let activeLoad: { stop(): void } | undefined;
let interrupted = false;

export function onCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** The load run in progress (undefined once it ends), for the signal handlers to stop. */
export function setActiveLoad(load: { stop(): void } | undefined): void {
  activeLoad = load;
}

/** Whether SIGINT or SIGTERM arrived: long waits check it and end early. */
export function wasInterrupted(): boolean {
  return interrupted;
}

async function runCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) await cleanup().catch((error) => log(`cleanup failed: ${error}`));
}

function installSignalHandlers(): void {
  const stop = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the load and every process this bench started...`);
    activeLoad?.stop();
    void runCleanups().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Runs `main` with the signal handlers, stops whatever is left afterwards, and sets the exit code. */
export function runBench(main: () => Promise<void>): void {
  installSignalHandlers();
  main()
    .then(() => runCleanups())
    .catch(async (error) => {
      log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
      await runCleanups();
      process.exitCode = 1;
    });
}
