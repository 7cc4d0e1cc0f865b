import { SameTurnLookups } from './same-turn-lookups';

describe('SameTurnLookups', () => {
  const store = new Map([
    ['a', 1],
    ['b', 2],
  ]);
  let calls: string[][];
  let lookups: SameTurnLookups<number>;

  beforeEach(() => {
    calls = [];
    lookups = new SameTurnLookups(async (keys) => {
      calls.push(keys);
      return new Map(keys.flatMap((key) => (store.has(key) ? [[key, store.get(key)!] as const] : [])));
    });
  });

  it('answers the look-ups of one turn with one bulk call, each key asked once', async () => {
    const answers = await Promise.all(['a', 'b', 'a', 'missing'].map((key) => lookups.get(key)));
    expect(answers).toEqual([1, 2, 1, undefined]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
  });

  it('starts a new bulk call for look-ups made after the turn ended', async () => {
    await lookups.get('a');
    await lookups.get('b');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('rejects every look-up of the turn when the bulk call fails, and recovers in the next turn', async () => {
    const failing = new SameTurnLookups<number>(async (keys) => {
      if (keys.includes('broken')) throw new Error('connection lost');
      return new Map();
    });
    const outcomes = await Promise.allSettled([failing.get('broken'), failing.get('other')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    await expect(failing.get('other')).resolves.toBeUndefined();
  });
});
