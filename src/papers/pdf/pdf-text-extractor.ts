import { hasPdfSignature } from '../pdf-signature';
import { ExtractedPdf } from './extracted-pdf';
import { ExtractionQueueFullError, ExtractionUnavailableError } from './extraction-errors';
import { ExtractionProcess, RunOutcome } from './extraction-process';
import { ExtractionLimits, unreadablePdf } from './unreadable-pdf';

export type { ExtractedPdf } from './extracted-pdf';
export { ExtractionQueueFullError, ExtractionUnavailableError } from './extraction-errors';

export interface PdfTextExtractorOptions {
  /** Time one document may take once a process has it; the process is killed and replaced after that. */
  timeoutMs: number;
  /** Memory a process may take for a document on top of what it holds once started, inflated streams included. */
  memoryLimitMb?: number;
  /** Extraction processes run side by side. */
  poolSize?: number;
  /** Documents that may wait for a free process; more are refused. */
  maxQueue?: number;
  /** Documents with more pages are refused without being read. */
  maxPages?: number;
}

const DEFAULTS = { memoryLimitMb: 512, poolSize: 1, maxQueue: 32, maxPages: 500 };

interface Job {
  bytes: Uint8Array;
  resolve: (document: ExtractedPdf) => void;
  reject: (error: Error) => void;
}

/**
 * Reads the text of PDFs in a pool of child processes, off the event loop, each document under a time limit and a
 * memory cap. A document that breaks its process fails alone: the process is replaced and the others go on.
 * Unreadable documents are refused with an UnreadableDocumentError whose message the client can act on.
 */
export class PdfTextExtractor {
  private readonly limits: ExtractionLimits;
  private readonly poolSize: number;
  private readonly maxQueue: number;
  private readonly processes = new Set<ExtractionProcess>();
  private readonly idle: ExtractionProcess[] = [];
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(options: PdfTextExtractorOptions) {
    const settings = { ...DEFAULTS, ...options };
    this.limits = { timeoutMs: settings.timeoutMs, memoryLimitMb: settings.memoryLimitMb, maxPages: settings.maxPages };
    this.poolSize = settings.poolSize;
    this.maxQueue = settings.maxQueue;
  }

  extract(bytes: Uint8Array): Promise<ExtractedPdf> {
    if (this.closed) return Promise.reject(new ExtractionUnavailableError('the PDF extractor is closed'));
    if (bytes.byteLength === 0) return Promise.reject(unreadablePdf('empty', this.limits));
    if (!hasPdfSignature(bytes)) return Promise.reject(unreadablePdf('not-pdf', this.limits));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new ExtractionQueueFullError(this.queue.length));
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      this.dispatch();
    });
  }

  /** Refuses the documents still waiting and kills the processes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new ExtractionUnavailableError('the PDF extractor was closed before reading this PDF'));
    await Promise.all(
      [...this.processes].map(
        (process) =>
          new Promise<void>((exited) => {
            process.onExit(exited);
            process.kill();
          }),
      ),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      void this.run(this.idle.pop() as ExtractionProcess, this.queue.shift() as Job);
    }
    const missing = this.poolSize - this.processes.size;
    for (let count = 0; count < Math.min(missing, this.queue.length); count++) this.startProcess();
  }

  private async run(process: ExtractionProcess, job: Job): Promise<void> {
    const outcome = await process.run(job.bytes, this.limits.maxPages, this.limits.timeoutMs);
    if (outcome.kind === 'extracted') job.resolve(outcome.document);
    else job.reject(this.refusal(outcome));
    // A process that ran out of memory reports it and exits; one that crashed or timed out is gone already.
    if (outcome.kind === 'failed' && outcome.failure === 'memory') process.kill();
    if (process.alive && !this.closed) this.idle.push(process);
    this.dispatch();
  }

  private refusal(outcome: Exclude<RunOutcome, { kind: 'extracted' }>): Error {
    if (outcome.kind === 'failed') return unreadablePdf(outcome.failure, this.limits, outcome.pages);
    if (outcome.kind === 'timed-out') return unreadablePdf('timeout', this.limits);
    if (outcome.kind === 'stopped') return new ExtractionUnavailableError('the PDF extractor was closed while reading this PDF');
    return unreadablePdf(outcome.outOfMemory ? 'memory' : 'corrupt', this.limits);
  }

  private startProcess(): void {
    let process: ExtractionProcess;
    try {
      process = ExtractionProcess.launch(this.limits.memoryLimitMb);
    } catch (error) {
      // fork throws, rather than reports, the errors Node does not expect of a spawn (ENOMEM, say).
      this.startFailed(error as Error);
      return;
    }
    let started = false;
    this.processes.add(process);
    process.onExit(() => this.forget(process, started));
    process.started.then(
      () => {
        started = true;
        if (this.closed) return;
        // One that died before this callback was forgotten as never started, so nothing replaced it: it is not
        // made idle, and dispatch starts another if documents wait.
        if (process.alive) this.idle.push(process);
        this.dispatch();
      },
      (error: Error) => {
        // It never started, and no longer counts: the next document starts another, where waiting for its exit
        // (which may come later, or never) would leave that document queued with no process to read it.
        this.processes.delete(process);
        this.startFailed(error);
      },
    );
  }

  /** When no process is left, the documents waiting are refused: none may ever start. */
  private startFailed(error: Error): void {
    if (this.closed || this.processes.size > 0) return;
    const unavailable = new ExtractionUnavailableError(`PDFs cannot be read at the moment: ${error.message}`, { cause: error });
    for (const job of this.queue.splice(0)) job.reject(unavailable);
  }

  /**
   * A process that died after starting, whatever the cause, is replaced at once so the pool stays warm. One
   * that never started is not: when fork keeps failing, each new document tries once, rather than each
   * failure starting the next attempt.
   */
  private forget(process: ExtractionProcess, hadStarted: boolean): void {
    this.processes.delete(process);
    const idleAt = this.idle.indexOf(process);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (hadStarted && !this.closed && this.processes.size < this.poolSize) this.startProcess();
  }
}
