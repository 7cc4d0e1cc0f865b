/** The intake closed while a job waited for room: the job's requests go back to the queue. */
export class IntakeClosedError extends Error {
  constructor() {
    super('the worker is stopping');
  }
}

/** The requests of one admitted job that are still held; each is let go as it settles. */
export class HeldRequests {
  constructor(
    private count: number,
    private readonly intake: RequestIntake,
  ) {}

  /** `settled` of the job's requests need no more work. */
  letGo(settled = 1): void {
    const released = Math.min(settled, this.count);
    this.count -= released;
    this.intake.release(released);
  }

  /** The job is over: whatever it still held is let go. */
  end(): void {
    this.letGo(this.count);
  }
}

/**
 * How many requests a worker holds at once. A job is admitted while fewer than `capacity` requests are held,
 * in arrival order, so a worker takes on what its analyser can soon get to, plus at most one job, rather
 * than every job Bull would hand it: the others' requests stay queued, where a client polling sees them
 * and any worker may take them, and a stopping worker gives them back instead of holding them.
 */
export class RequestIntake {
  private held = 0;
  private closed = false;
  private readonly waiting: Array<{ admit: () => void; refuse: (error: Error) => void }> = [];

  constructor(private readonly capacity: number) {}

  /** Resolves once the job's `count` requests are admitted; rejects with IntakeClosedError once the intake closes. */
  admit(count: number): Promise<HeldRequests> {
    return new Promise((resolve, reject) => {
      const admit = () => {
        this.held += count;
        resolve(new HeldRequests(count, this));
      };
      if (this.closed) reject(new IntakeClosedError());
      else if (this.waiting.length === 0 && this.held < this.capacity) admit();
      else this.waiting.push({ admit, refuse: reject });
    });
  }

  /** Admits no more jobs: those waiting, and any that come, are refused. */
  close(): void {
    this.closed = true;
    this.waiting.splice(0).forEach((waiter) => waiter.refuse(new IntakeClosedError()));
  }

  release(count: number): void {
    this.held -= count;
    while (this.held < this.capacity && this.waiting.length > 0) this.waiting.shift()!.admit();
  }
}
