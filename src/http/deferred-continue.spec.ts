import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HalfSentRequest } from '../../test/support/half-sent-request';
import { DeferredContinue } from './deferred-continue';

const BODY = 'a body of twenty-six bytes';
const EXPECTING_CONTINUE = { expect: '100-continue' };

describe('DeferredContinue', () => {
  let server: Server;
  let port: number;
  /** Whether the listener asks for the body before reading it, as the preParsing hook does. */
  let asks: boolean;

  beforeEach(async () => {
    const deferred = new DeferredContinue();
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      if (!asks) return void response.end('refused 0');
      deferred.askForBody(response);
      let length = 0;
      request.on('data', (chunk: Buffer) => (length += chunk.length));
      request.on('end', () => response.end(`ok ${length}`));
    };
    server = createServer(listener);
    deferred.listen(server, listener);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends 100 Continue when asked, and then reads the body', async () => {
    asks = true;
    const request = new HalfSentRequest(port, BODY, EXPECTING_CONTINUE);
    await request.sendHead();
    await request.firstStatusLine();
    const received = await request.finish();
    expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/ok 26$/);
  });

  it('sends no 100 Continue to a request answered before it asks, and closes its connection', async () => {
    asks = false;
    const request = new HalfSentRequest(port, BODY, EXPECTING_CONTINUE);
    await request.sendHead();
    const received = await request.answered();
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('sends nothing more to a request that expected no 100 Continue', async () => {
    asks = true;
    const request = new HalfSentRequest(port, BODY);
    await request.sendFirstHalf();
    const received = await request.finish();
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/ok 26$/);
  });
});
