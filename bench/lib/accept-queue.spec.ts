import { listenOverflowsIn } from './accept-queue';

describe('listen overflows', () => {
  const netstat = (names: string, values: string) =>
    `TcpExt: SyncookiesSent ${names}\nTcpExt: 0 ${values}\nIpExt: InNoRoutes ListenOverflows\nIpExt: 0 99\n`;

  it("reads TcpExt's ListenOverflows, not a field of the same name elsewhere", () => {
    expect(listenOverflowsIn(netstat('DelayedACKLost ListenOverflows ListenDrops', '6801 3132 3140'))).toBe(3132);
  });

  it('is unknown where the kernel does not count them or the file is cut short', () => {
    expect(listenOverflowsIn(netstat('DelayedACKLost ListenDrops', '6801 3140'))).toBeUndefined();
    expect(listenOverflowsIn('TcpExt: SyncookiesSent ListenOverflows\n')).toBeUndefined();
    expect(listenOverflowsIn('')).toBeUndefined();
  });
});
