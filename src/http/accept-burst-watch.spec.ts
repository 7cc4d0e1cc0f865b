import { AcceptBurstWatch } from './accept-burst-watch';

describe('AcceptBurstWatch', () => {
  const thresholds = { openAt: 256, calmBelow: 32, calmSamples: 3, sampleMs: 100 };
  let samples: Array<number | undefined>;
  let events: string[];
  let watch: AcceptBurstWatch;

  beforeEach(() => {
    jest.useFakeTimers();
    samples = [];
    events = [];
    const queue = { read: () => samples.shift() };
    watch = new AcceptBurstWatch(queue, (waiting) => events.push(`burst ${waiting}`), () => events.push('calm'), thresholds);
    watch.start();
  });

  afterEach(() => {
    watch.stop();
    jest.useRealTimers();
  });

  const sample = (...values: Array<number | undefined>) => {
    samples.push(...values);
    jest.advanceTimersByTime(values.length * thresholds.sampleMs);
  };

  it('starts a burst at the first sample with openAt connections waiting, and only once', () => {
    sample(0, 255, undefined);
    expect(events).toEqual([]);
    sample(256, 4000, 1000);
    expect(events).toEqual(['burst 256']);
  });

  it('ends it after calmSamples samples in a row below calmBelow; a busier sample starts the count again', () => {
    sample(600, 10, 0, 40, 31, 0);
    expect(events).toEqual(['burst 600']);
    sample(0);
    expect(events).toEqual(['burst 600', 'calm']);
    sample(0, 0, 0, 300);
    expect(events).toEqual(['burst 600', 'calm', 'burst 300']);
  });

  it('ends a burst whose queue can no longer be read', () => {
    sample(900, undefined, undefined, undefined);
    expect(events).toEqual(['burst 900', 'calm']);
  });

  it('samples nothing once stopped, and again once restarted', () => {
    watch.stop();
    sample(5000);
    expect(events).toEqual([]);
    watch.start();
    sample(5000);
    expect(events).toEqual(['burst 5000']);
  });
});
