'use strict';
/**
 * The supervisor's side of src/http/connection-share.ts: what each API process last said it holds, and the
 * even share of them all it is told back, with the total of connections accepted that its report gave.
 */
const CONNECTIONS_HELD = 'rpa:connections-held';
const CONNECTIONS_SHARE = 'rpa:connections-share';
/**
 * A process that has not reported for this long (three of its report periods) is left out of the share:
 * one that is stopped or blocked accepts nothing, so connections the others closed would only come back to them.
 */
const STALE_AFTER_MS = 1_500;

const isCount = (value) => Number.isSafeInteger(value) && value >= 0;

class ConnectionShares {
  constructor(now = Date.now) {
    this.now = now;
    this.reports = new Map();
  }

  /** Answers an API process's report with its share; any other message is not for this. */
  take(child, message) {
    const count = message?.count;
    const accepted = message?.accepted;
    if (message?.rpa !== CONNECTIONS_HELD || !isCount(count) || !isCount(accepted)) return;
    const now = this.now();
    this.reports.set(child.id, { count, at: now });
    let total = 0;
    let reporting = 0;
    for (const report of this.reports.values()) {
      if (now - report.at > STALE_AFTER_MS) continue;
      total += report.count;
      reporting += 1;
    }
    child.send({ rpa: CONNECTIONS_SHARE, share: Math.ceil(total / reporting), accepted }, undefined, () => undefined);
  }

  forget(child) {
    this.reports.delete(child.id);
  }
}

module.exports = { ConnectionShares, CONNECTIONS_HELD, CONNECTIONS_SHARE, STALE_AFTER_MS };
