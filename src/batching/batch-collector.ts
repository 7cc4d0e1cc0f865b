/**
 * Gathers items into batches: a batch closes when it holds `maxSize` items or `maxWaitMs` after its
 * first item arrived, whichever comes first, and is handed to `flush`.
 */
export class BatchCollector<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxSize: number,
    private readonly maxWaitMs: number,
    private readonly flush: (batch: T[]) => void,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    if (this.pending.length >= this.maxSize) this.close();
    else this.timer ??= setTimeout(() => this.close(), this.maxWaitMs);
  }

  /** Hands over what is pending now, e.g. at shutdown. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flush(batch);
  }
}
