import { ChildProcess, fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { capAddressSpace } from './address-space-limit';
import { ExtractedPdf } from './extracted-pdf';
import { DocumentFailure, ExtractionReply, ExtractionRequest } from './extraction-protocol';

export type RunOutcome =
  | { kind: 'extracted'; document: ExtractedPdf }
  | { kind: 'failed'; failure: DocumentFailure; pages?: number }
  | { kind: 'timed-out' }
  | { kind: 'crashed'; outOfMemory: boolean }
  /** Killed by its owner while reading, as when the pool closes. */
  | { kind: 'stopped' };

/** The child is this module's sibling: compiled JavaScript in dist/, TypeScript run by ts-node under jest. */
const CHILD_SCRIPT = join(__dirname, `extraction-child${extname(__filename)}`);
const TYPESCRIPT_LOADER = extname(__filename) === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [];
const START_TIMEOUT_MS = 30_000;
/** How much of the child's stderr is kept: enough for V8's or the allocator's last words, never document text. */
const STDERR_TAIL_CHARS = 2048;
const OUT_OF_MEMORY = /out of memory|allocation failed|bad_alloc|cannot allocate memory/i;

/** One extraction child process: started with its memory capped, reading one document at a time. */
export class ExtractionProcess {
  private stderrTail = '';
  private lastId = 0;
  private killed = false;

  /** Settles once the process has started (pdf.js loaded and warmed up, memory capped); rejects if it cannot start. */
  readonly started: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    memoryLimitMb: number,
  ) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.started = this.ready().then(() => capAddressSpace(child.pid as number, memoryLimitMb));
    this.started.catch(() => this.kill());
  }

  static launch(memoryLimitMb: number): ExtractionProcess {
    const child = fork(CHILD_SCRIPT, [], {
      // Without the trap handler V8 need not reserve 10 GB of address space per WebAssembly memory (undici's
      // HTTP parser has one), which the address-space cap could never allow.
      execArgv: [`--max-old-space-size=${memoryLimitMb}`, '--disable-wasm-trap-handler', ...TYPESCRIPT_LOADER],
      // The child parses untrusted documents, so it gets none of this process's settings or secrets (GROQ_API_KEY);
      // only one allocator setting: one malloc arena per thread would reserve 64 MB of address space each, for nothing.
      env: { MALLOC_ARENA_MAX: '2' },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // A group of its own, so Ctrl-C in a terminal does not kill it under a document being read: this
      // process stops it, and it exits by itself when this process goes (the IPC channel closes).
      detached: true,
    });
    return new ExtractionProcess(child, memoryLimitMb);
  }

  /** Neither exited nor being killed. */
  get alive(): boolean {
    return !this.killed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Settles with what became of the document; never rejects. A time-out kills the process. */
  run(bytes: Uint8Array, maxPages: number, timeoutMs: number): Promise<RunOutcome> {
    const id = ++this.lastId;
    if (!this.alive) return Promise.resolve({ kind: 'stopped' });
    return new Promise((resolve) => {
      const finish = (outcome: RunOutcome): void => {
        clearTimeout(timer);
        this.child.off('message', onReply);
        this.child.off('close', onExit);
        resolve(outcome);
      };
      const onReply = (reply: ExtractionReply): void => {
        if (reply.type === 'extracted' && reply.id === id) finish({ kind: 'extracted', document: reply.document });
        if (reply.type === 'failed' && reply.id === id) finish({ kind: 'failed', failure: reply.failure, pages: reply.pages });
      };
      // pdf.js is plain JavaScript: a process it runs dies of a signal (SIGSEGV or SIGABRT when an allocation hits the
      // address-space cap, SIGKILL from the kernel's OOM killer) only for want of memory.
      const onExit = (_code: number | null, signal: NodeJS.Signals | null): void =>
        finish(this.killed ? { kind: 'stopped' } : { kind: 'crashed', outOfMemory: signal !== null || OUT_OF_MEMORY.test(this.stderrTail) });
      const timer = setTimeout(() => {
        this.kill();
        finish({ kind: 'timed-out' });
      }, timeoutMs);
      this.child.on('message', onReply);
      // 'close' rather than 'exit': it comes after the last of stderr has been read.
      this.child.once('close', onExit);
      const request: ExtractionRequest = { id, bytes, maxPages };
      this.child.send(request, (error) => {
        if (error) this.kill();
      });
    });
  }

  kill(): void {
    if (!this.alive) return;
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  /** Calls `listener` once the process is gone, including one that never spawned ('close' follows that, 'exit' does not). */
  onExit(listener: () => void): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) listener();
    else this.child.once('close', listener);
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.child.off('message', onReply);
        this.child.off('exit', onExit);
        this.child.off('error', settle);
        if (error) reject(error);
        else resolve();
      };
      const onReply = (reply: ExtractionReply): void => {
        if (reply.type === 'ready') settle();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        settle(new Error(`the PDF extraction process stopped while starting (${signal ?? `exit code ${code}`})`));
      const timer = setTimeout(() => settle(new Error(`the PDF extraction process did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      this.child.on('message', onReply);
      this.child.once('exit', onExit);
      this.child.once('error', settle);
    });
  }
}
