import { calibrationMicroseconds, cpuIdentity, systemCallMicroseconds } from './machine';

describe('the machine the report names', () => {
  it("reads the first CPU's family, model and stepping from /proc/cpuinfo", () => {
    const cpuinfo = [
      'processor\t: 0',
      'vendor_id\t: AuthenticAMD',
      'cpu family\t: 25',
      'model\t\t: 1',
      'model name\t: AMD EPYC',
      'stepping\t: 1',
      '',
      'processor\t: 1',
      'cpu family\t: 26',
      'model\t\t: 17',
    ].join('\n');
    expect(cpuIdentity(cpuinfo)).toBe('family 25, model 1, stepping 1');
  });

  it('leaves the identity out where the kernel does not tell it', () => {
    expect(cpuIdentity('')).toBeUndefined();
    expect(cpuIdentity('processor\t: 0\nmodel name\t: Some CPU')).toBeUndefined();
  });

  it('times the calibration work in microseconds a paper', () => {
    const microseconds = calibrationMicroseconds();
    // A JSON round trip and a hash of 800 characters take a few microseconds on any current core, never a millisecond.
    expect(microseconds).toBeGreaterThan(0.1);
    expect(microseconds).toBeLessThan(1000);
  });

  it('times a system call in microseconds a write', () => {
    const microseconds = systemCallMicroseconds();
    // A one-byte write to /dev/null costs tens of nanoseconds to a few microseconds, never a millisecond.
    expect(microseconds).toBeGreaterThan(0.01);
    expect(microseconds).toBeLessThan(1000);
  });
});
