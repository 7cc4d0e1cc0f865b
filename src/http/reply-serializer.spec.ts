import { serializeReply } from './reply-serializer';

describe('serializeReply', () => {
  it('writes what JSON.stringify writes', () => {
    for (const payload of [{ a: 1, b: [null, 'x'] }, Object.freeze({ status: 'done', result: { title: 'T' } }), [1, 2], null, 'text', 3]) {
      expect(serializeReply(payload)).toBe(JSON.stringify(payload));
    }
  });

  it('serialises a frozen payload once, however often it is sent', () => {
    let serialisations = 0;
    const answer = Object.freeze({
      toJSON: () => {
        serialisations += 1;
        return { status: 'done' };
      },
    });
    expect(serializeReply(answer)).toBe('{"status":"done"}');
    expect(serializeReply(answer)).toBe('{"status":"done"}');
    expect(serialisations).toBe(1);
  });

  it('serialises a payload that may change each time it is sent', () => {
    const answer: { status: string } = { status: 'queued' };
    expect(serializeReply(answer)).toBe('{"status":"queued"}');
    answer.status = 'done';
    expect(serializeReply(answer)).toBe('{"status":"done"}');
  });
});
