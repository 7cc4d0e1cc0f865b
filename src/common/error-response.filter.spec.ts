import { ArgumentsHost, BadRequestException, HttpException, HttpStatus, Logger, ServiceUnavailableException } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, IncomingMessage } from 'node:http';
import { connect, AddressInfo } from 'node:net';
import { ErrorResponseFilter, RefusalCounter } from './error-response.filter';

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

describe('ErrorResponseFilter counting refusals against the client\'s limit', () => {
  const request = { url: '/analyze' };
  const reply = { status: jest.fn(), header: jest.fn(), send: jest.fn() };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
  const malformed = new BadRequestException('the body is not valid JSON');
  /** Lets the filter's answer, sent once the count has settled, go out. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    reply.status.mockReturnValue(reply);
    reply.header.mockReturnValue(reply);
  });
  afterEach(() => {
    jest.resetAllMocks();
    jest.restoreAllMocks();
  });

  it('answers the refusal once it is counted', async () => {
    const count = jest.fn<ReturnType<RefusalCounter>, Parameters<RefusalCounter>>().mockResolvedValue(undefined);
    new ErrorResponseFilter(100_000, count).catch(malformed, host);
    expect(count).toHaveBeenCalledWith(request, reply);
    expect(reply.send).not.toHaveBeenCalled();
    await settled();
    expect(reply.status).toHaveBeenCalledWith(400);
    expect(reply.send).toHaveBeenCalledWith({ statusCode: 400, error: 'Bad Request', message: 'the body is not valid JSON' });
  });

  it('answers 429 instead when the count finds the client over its limit', async () => {
    const overLimit = new HttpException('too many requests from this client', HttpStatus.TOO_MANY_REQUESTS);
    new ErrorResponseFilter(100_000, () => Promise.reject(overLimit)).catch(malformed, host);
    await settled();
    expect(reply.status).toHaveBeenCalledWith(429);
    expect(reply.send).toHaveBeenCalledWith({ statusCode: 429, error: 'Too Many Requests', message: 'too many requests from this client' });
  });

  it('answers the refusal when Redis cannot count it, reporting the outage', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    new ErrorResponseFilter(100_000, () => Promise.reject(new Error('Connection is closed.'))).catch(malformed, host);
    await settled();
    expect(reply.status).toHaveBeenCalledWith(400);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis is unavailable'));
  });

  it('answers the refusal when counting fails otherwise, and logs why', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new ErrorResponseFilter(100_000, () => Promise.reject(new TypeError('a bug'))).catch(malformed, host);
    await settled();
    expect(reply.status).toHaveBeenCalledWith(400);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('Could not count a refused request'));
  });

  it('answers at once when there is nothing to count', () => {
    new ErrorResponseFilter(100_000, () => undefined).catch(malformed, host);
    expect(reply.status).toHaveBeenCalledWith(400);
  });

  it('does not count what is the service\'s doing', () => {
    const count = jest.fn<ReturnType<RefusalCounter>, Parameters<RefusalCounter>>();
    new ErrorResponseFilter(100_000, count).catch(new ServiceUnavailableException('busy'), host);
    expect(count).not.toHaveBeenCalled();
    expect(reply.status).toHaveBeenCalledWith(503);
  });
});
