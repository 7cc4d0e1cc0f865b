import { pacedFigures } from './h2load-client';

/** h2load's per-request log: start (µs since the epoch), status (-1: lost with its connection), µs to the answer. */
const line = (startMs: number, status: number, latencyMs: number) => `${Math.round((1_800_000_000_000 + startMs) * 1000)}\t${status}\t${Math.round(latencyMs * 1000)}\n`;

describe('pacedFigures', () => {
  it('counts the rate while every connection runs, and the latencies and codes of every request', () => {
    // 10 requests a second, started 0 … 9,900 ms, with a 1 s interval: the steady window is [1,000, 8,900) ms.
    let log = '';
    for (let n = 0; n < 100; n += 1) log += line(n * 100, n % 10 === 0 ? 404 : 200, n < 99 ? 10 : 500);
    const figures = pacedFigures(log, { intervalMs: 1_000, warmupMs: 2_000 }, 2, 1);

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

  it('reports apart the latencies of the requests sent after the warm-up', () => {
    // 30 slow answers in the first 3 s, then 70 fast ones.
    let log = '';
    for (let n = 0; n < 100; n += 1) log += line(n * 100, 200, n < 30 ? 800 : 20);
    const figures = pacedFigures(log, { intervalMs: 1_000, warmupMs: 3_000 }, 0, 0);

    expect(figures.p50).toBe(20);
    expect(figures.p99).toBe(800);
    expect(figures.settled).toEqual({ afterSeconds: 3, p50: 20, p90: 20, p99: 20, max: 20 });
  });

  it('gives the p99 of the requests sent in each second of the run, NaN for a second without any', () => {
    // Second 0: latencies 1 … 10 ms; second 1: nothing; second 2: one answer of 40 ms.
    let log = '';
    for (let n = 0; n < 10; n += 1) log += line(n * 100, 200, n + 1);
    log += line(2_500, 200, 40);
    expect(pacedFigures(log, { intervalMs: 1_000, warmupMs: 0 }, 0, 0).p99BySecond).toEqual([10, Number.NaN, 40]);
  });

  it('leaves requests lost with their connection out of the answers and latencies', () => {
    const log = line(0, 200, 5) + line(100, -1, 900) + line(200, 200, 7);
    const figures = pacedFigures(log, { intervalMs: 1_000, warmupMs: 0 }, 1, 0);

    expect(figures.statusCodes).toEqual({ '200': 2 });
    expect(figures.max).toBe(7);
    expect(figures.answersPerSecond).toBeCloseTo(1 / 0.2, 5);
    expect(figures.errors).toBe(1);
  });

  it('refuses a log without answers rather than report figures of nothing', () => {
    expect(() => pacedFigures('', { intervalMs: 1_000, warmupMs: 0 }, 0, 0)).toThrow('no answer');
    expect(() => pacedFigures(line(0, -1, 5), { intervalMs: 1_000, warmupMs: 0 }, 1, 0)).toThrow('no answer');
  });

  it('counts the whole run when it lasts no more than two intervals', () => {
    const log = line(0, 200, 5) + line(1_500, 200, 7) + line(500, 200, 6);
    const figures = pacedFigures(log, { intervalMs: 1_000, warmupMs: 0 }, 0, 0);

    expect(figures.seconds).toBeCloseTo(1.5, 5);
    expect(figures.answersPerSecond).toBeCloseTo(2 / 1.5, 5);
    expect(figures.p50).toBe(6);
  });
});
