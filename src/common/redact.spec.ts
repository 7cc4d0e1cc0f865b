import { redactUrlCredentials } from './redact';

describe('redactUrlCredentials', () => {
  it.each([
    ['redis://user:secret@cache:6379/0', 'redis://***@cache:6379/0'],
    ['redis://:p@ss@cache:6379', 'redis://***@cache:6379'],
    ['rediss://cache:6380/2?password=s3cret&db=2', 'rediss://cache:6380/2?password=***&db=2'],
    ['redis://127.0.0.1:6379/14', 'redis://127.0.0.1:6379/14'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactUrlCredentials(url)).toBe(shown);
  });
});
