import { pacedFigures } from './h2load-client';

/** h2load's per-request log: start (µs since the epoch), status, µs to the answer; in answer order. */
const line = (startMs: number, status: number, latencyMs: number) => `${Math.round((1_800_000_000_000 + startMs) * 1000)}\t${status}\t${Math.round(latencyMs * 1000)}\n`;

describe('pacedFigures', () => {
  it('counts the rate while every connection runs, and the latencies and codes of every request', () => {
    // 10 requests a second, started 0 … 9,900 ms, with a 1 s interval: the steady window is [1,000, 8,900) ms.
    let log = '';
    for (let n = 0; n < 100; n += 1) log += line(n * 100, n % 10 === 0 ? 404 : 200, n < 99 ? 10 : 500);
    const figures = pacedFigures(log, 1_000, 2, 1);

    expect(figures.seconds).toBeCloseTo(7.9, 5);
    // started at 1,000 … 8,800 ms: 79 requests, 71 of them answered 200
    expect(figures.answersPerSecond).toBeCloseTo(10, 5);
    expect(figures.okPerSecond).toBeCloseTo(71 / 7.9, 5);
    expect(figures.statusCodes).toEqual({ '200': 90, '404': 10 });
    expect(figures.p50).toBe(10);
    expect(figures.p99).toBe(10);
    expect(figures.max).toBe(500);
    expect([figures.errors, figures.timeouts]).toEqual([2, 1]);
  });

  it('counts the whole run when it lasts no more than two intervals', () => {
    const log = line(0, 200, 5) + line(1_500, 200, 7) + line(500, 200, 6);
    const figures = pacedFigures(log, 1_000, 0, 0);

    expect(figures.seconds).toBeCloseTo(1.5, 5);
    expect(figures.answersPerSecond).toBeCloseTo(2 / 1.5, 5);
    expect(figures.p50).toBe(6);
  });
});
