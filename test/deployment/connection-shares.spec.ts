const { ConnectionShares, CONNECTIONS_HELD, CONNECTIONS_SHARE } = require('../../scripts/lib/connection-shares');

/** An API process as the supervisor sees it: an id, and the messages sent to it. */
const apiProcess = (id: number) => ({ id, received: [] as unknown[], send(message: unknown) { this.received.push(message); } });

describe("the supervisor's even share of connections", () => {
  let now: number;
  let shares: { take(child: unknown, message: unknown): void; forget(child: unknown): void };

  beforeEach(() => {
    now = 0;
    shares = new ConnectionShares(() => now);
  });

  const report = (child: ReturnType<typeof apiProcess>, count: number, accepted = count) => {
    shares.take(child, { rpa: CONNECTIONS_HELD, count, accepted });
    return child.received.at(-1);
  };

  it("answers each report with the even share of what the API processes last reported, echoing the report's total accepted", () => {
    const [first, second] = [apiProcess(1), apiProcess(2)];
    expect(report(first, 5_790, 6_012)).toEqual({ rpa: CONNECTIONS_SHARE, share: 5_790, accepted: 6_012 });
    expect(report(second, 4_211, 4_300)).toEqual({ rpa: CONNECTIONS_SHARE, share: 5_001, accepted: 4_300 });
  });

  it('leaves out a process that stopped reporting, and one that exited', () => {
    const [first, second, third] = [apiProcess(1), apiProcess(2), apiProcess(3)];
    report(first, 100);
    report(second, 0);
    now = 1_000;
    report(third, 200);
    // The first two last reported 1.5 s before: still counted.
    now = 1_500;
    expect(report(third, 200)).toEqual({ rpa: CONNECTIONS_SHARE, share: 100, accepted: 200 });
    now = 1_501;
    expect(report(third, 200)).toEqual({ rpa: CONNECTIONS_SHARE, share: 200, accepted: 200 });
    shares.forget(third);
    expect(report(first, 50)).toEqual({ rpa: CONNECTIONS_SHARE, share: 50, accepted: 50 });
  });

  it('answers nothing but a well-formed report', () => {
    const child = apiProcess(1);
    shares.take(child, { rpa: 'rpa:acceptors-request', count: 3 });
    shares.take(child, { rpa: CONNECTIONS_HELD, count: -1, accepted: 1 });
    shares.take(child, { rpa: CONNECTIONS_HELD, count: '12', accepted: 12 });
    shares.take(child, { rpa: CONNECTIONS_HELD, count: 12 });
    shares.take(child, undefined);
    expect(child.received).toEqual([]);
  });
});
