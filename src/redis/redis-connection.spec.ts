import { ReplyError } from 'ioredis';
import { isRedisUnavailable } from './redis-connection';

describe('isRedisUnavailable', () => {
  it.each([
    ['a lost connection', new Error('Connection is closed.')],
    ['a command left unanswered', new Error('Command timed out')],
    ['Redis out of memory', new ReplyError('OOM command not allowed when used memory > \'maxmemory\'.')],
    ['a replica after a failover', new ReplyError("READONLY You can't write against a read only replica.")],
    ['Redis loading its data', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['an older Redis reporting OOM inside a script', new ReplyError('ERR Error running script (call to f_1): @user_script:2: -OOM command not allowed')],
  ])('counts %s as Redis being unavailable', (_, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([
    ['a command Redis refused for what it was', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a script error', new ReplyError('ERR Error running script: attempt to compare nil with number')],
    ['an error of the app', new TypeError("Cannot read properties of undefined (reading 'status')")],
  ])('does not count %s', (_, error) => {
    expect(isRedisUnavailable(error)).toBe(false);
  });
});
