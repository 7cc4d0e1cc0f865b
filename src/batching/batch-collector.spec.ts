import { BatchCollector } from './batch-collector';

describe('BatchCollector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('closes a batch as soon as it holds maxSize items', () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>(3, 1_000, (batch) => batches.push(batch));
    [1, 2, 3, 4].forEach((item) => collector.add(item));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('closes a partial batch maxWaitMs after its first item, not after its last', () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>(10, 100, (batch) => batches.push(batch));
    collector.add(1);
    jest.advanceTimersByTime(60);
    collector.add(2);
    jest.advanceTimersByTime(39);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2]]);
  });

  it('starts a fresh wait for the next batch and hands over what is pending on close', () => {
    const batches: number[][] = [];
    const collector = new BatchCollector<number>(2, 100, (batch) => batches.push(batch));
    collector.add(1);
    collector.add(2);
    collector.add(3);
    collector.close();
    collector.close();
    jest.advanceTimersByTime(500);
    expect(batches).toEqual([[1, 2], [3]]);
  });
});
