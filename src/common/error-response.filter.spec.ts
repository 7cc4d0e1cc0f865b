import { ArgumentsHost, Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, IncomingMessage } from 'node:http';
import { connect, AddressInfo } from 'node:net';
import { ErrorResponseFilter } from './error-response.filter';

/** The error Node raises on a request whose client closes the connection halfway through the body. */
async function abortedBodyError(): Promise<Error> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"text":');
  const [request] = (await once(server, 'request')) as [IncomingMessage];
  const failed = once(request, 'error');
  client.destroy();
  const [error] = (await failed) as [Error];
  server.close();
  return error;
}

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

describe('ErrorResponseFilter with a request its client gave up on', () => {
  const reply = { status: jest.fn(), header: jest.fn(), send: jest.fn() };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;

  beforeEach(() => reply.status.mockReturnValue(reply));
  afterEach(() => jest.restoreAllMocks());

  it('answers 400 and logs no error', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new ErrorResponseFilter(100_000).catch(await abortedBodyError(), host);
    expect(reply.status).toHaveBeenCalledWith(400);
    expect(reply.send).toHaveBeenCalledWith({ statusCode: 400, error: 'Bad Request', message: 'the connection closed before the request body ended' });
    expect(error).not.toHaveBeenCalled();
  });

  it('still logs an error of its own', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new ErrorResponseFilter(100_000).catch(new Error('a bug'), host);
    expect(reply.status).toHaveBeenCalledWith(500);
    expect(error).toHaveBeenCalledTimes(1);
  });
});
