import { analyzeWorkload, describeThinkTime, thinkTimeOf } from './workloads';

describe('think time', () => {
  it('reads a range of seconds, or one value, as milliseconds', () => {
    expect(thinkTimeOf('1-3')).toEqual({ min: 1000, max: 3000 });
    expect(thinkTimeOf(' 0.5-2.25 ')).toEqual({ min: 500, max: 2250 });
    expect(thinkTimeOf('2')).toEqual({ min: 2000, max: 2000 });
  });

  it.each(['', '0', '0-0', '3-1', '1-', '-1', 'a-b', '1..3', '1-3-5'])('refuses %p, naming the option', (text) => {
    expect(() => thinkTimeOf(text)).toThrow(/--think-time/);
  });

  it('is described as people would say it', () => {
    expect(describeThinkTime({ min: 1000, max: 3000 })).toBe('a random 1 to 3 s');
    expect(describeThinkTime({ min: 2000, max: 2000 })).toBe('2 s');
  });

  it('is part of the analyze workload only when asked for', () => {
    expect(analyzeWorkload()).not.toHaveProperty('thinkMs');
    expect(analyzeWorkload({ min: 1000, max: 3000 }).thinkMs).toEqual({ min: 1000, max: 3000 });
  });
});
