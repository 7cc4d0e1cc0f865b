import { ArgumentsHost, Logger } from '@nestjs/common';
import { ErrorResponseFilter } from './error-response.filter';

describe('ErrorResponseFilter while Redis is out', () => {
  const reply = { status: jest.fn(), header: jest.fn(), send: jest.fn() };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;

  beforeEach(() => {
    jest.useFakeTimers();
    reply.status.mockReturnValue(reply);
    reply.header.mockReturnValue(reply);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('answers every request 503 with Retry-After, and logs one line a second with how many it answered', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const filter = new ErrorResponseFilter(100_000);
    const outage = new Error('Connection is closed.');
    for (let n = 0; n < 1_000; n += 1) filter.catch(outage, host);
    expect(reply.status).toHaveBeenCalledTimes(1_000);
    expect(reply.status).toHaveBeenLastCalledWith(503);
    expect(reply.header).toHaveBeenLastCalledWith('Retry-After', '5');
    expect(warn).toHaveBeenCalledTimes(1);

    jest.advanceTimersByTime(1_000);
    filter.catch(outage, host);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith('Answering 503: Redis is unavailable (Connection is closed.); 1000 such answer(s) since the last report');
  });
});
