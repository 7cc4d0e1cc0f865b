/** What a sliding window holds: amounts (requests or tokens) stamped with when they were admitted. */
interface WindowEntry {
  at: number;
  amount: number;
}

/** Compact the entry array once this many expired entries sit in front of it. */
const COMPACT_AFTER = 1024;

/**
 * Usage over a sliding time window: an entry counts while `now - at < windowMs`.
 * Times are milliseconds; callers pass `now` so that one admission decision sees one instant.
 */
export class RateWindow {
  private entries: WindowEntry[] = [];
  private head = 0;
  private total = 0;

  constructor(readonly windowMs: number) {}

  /** The amount admitted within the window ending at `now`. */
  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** Records `amount` admitted at `now`. */
  add(amount: number, now: number): void {
    this.expire(now);
    this.entries.push({ at: now, amount });
    this.total += amount;
  }

  /**
   * Milliseconds from `now` until `amount` more fits under `limit`: 0 if it fits already, Infinity if it never can
   * (the amount alone exceeds the limit).
   */
  waitFor(amount: number, limit: number, now: number): number {
    if (amount > limit) return Infinity;
    let excess = this.used(now) + amount - limit;
    if (excess <= 0) return 0;
    for (let index = this.head; index < this.entries.length; index += 1) {
      const entry = this.entries[index];
      excess -= entry.amount;
      if (excess <= 0) return entry.at + this.windowMs - now;
    }
    return this.windowMs;
  }

  /** Milliseconds from `now` until the window holds nothing (back to its initial state). */
  untilEmpty(now: number): number {
    this.expire(now);
    if (this.head >= this.entries.length) return 0;
    return this.entries[this.entries.length - 1].at + this.windowMs - now;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.total = 0;
  }

  private expire(now: number): void {
    while (this.head < this.entries.length && now - this.entries[this.head].at >= this.windowMs) {
      this.total -= this.entries[this.head].amount;
      this.head += 1;
    }
    if (this.head >= COMPACT_AFTER) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
