import { once } from 'node:events';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PausedConnections } from './paused-connections';

describe('PausedConnections', () => {
  /** The idle timeout the tests' "HTTP server" sets on a connection between requests. */
  const IDLE_MS = 150;
  let server: Server;
  let client: Socket;
  /** The server's end of the connection, and what it has read. */
  let accepted: Socket;
  let received: string;

  beforeEach(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    [accepted] = (await once(server, 'connection')) as [Socket];
    received = '';
    accepted.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    accepted.setTimeout(IDLE_MS);
  });
  afterEach(async () => {
    client.destroy();
    accepted.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves what the client sends unread until the connection is read again, and expects a request from it', async () => {
    const paused = new PausedConnections();
    expect(paused.pause(accepted)).toBe(true);
    client.write('next request');
    await sleep(50);
    expect(received).toBe('');

    paused.resume(() => paused.expected < 1);
    expect(paused.count).toBe(0);
    expect(paused.expected).toBe(1);
    await sleep(50);
    expect(received).toBe('next request');
    paused.arrived();
    expect(paused.expected).toBe(0);
  });

  it('reads connections again oldest first, only while more are wanted', async () => {
    const second = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [secondAccepted] = (await once(server, 'connection')) as [Socket];
    secondAccepted.setTimeout(IDLE_MS);
    const paused = new PausedConnections();
    paused.pause(accepted);
    paused.pause(secondAccepted);
    client.write('first');
    second.write('second');
    let secondReceived = '';
    secondAccepted.setEncoding('utf8').on('data', (chunk: string) => (secondReceived += chunk));

    paused.resume(() => paused.expected < 1);
    await sleep(50);
    expect([received, secondReceived]).toEqual(['first', '']);
    expect(paused.count).toBe(1);
    second.destroy();
    secondAccepted.destroy();
  });

  it('reads a connection again once paused for the longest allowed, whatever is wanted', async () => {
    const paused = new PausedConnections(50);
    paused.pause(accepted);
    paused.resume(() => false);
    expect(paused.count).toBe(1);
    await sleep(60);
    paused.resume(() => false);
    expect(paused.count).toBe(0);
    expect(paused.expected).toBe(1);
  });

  it('suspends the idle timeout while the connection is paused, and sets it again on reading it', async () => {
    const paused = new PausedConnections();
    let timedOut = 0;
    accepted.on('timeout', () => (timedOut += 1));
    paused.pause(accepted);
    await sleep(3 * IDLE_MS);
    expect(timedOut).toBe(0);

    paused.resumeAll();
    await sleep(2 * IDLE_MS);
    expect(timedOut).toBe(1);
  });

  it('pauses a connection once, however often asked', () => {
    const paused = new PausedConnections();
    expect(paused.pause(accepted)).toBe(true);
    expect(paused.pause(accepted)).toBe(false);
    expect(paused.count).toBe(1);
  });

  it('does not pause a connection the server is not holding idle, nor one that is closing', () => {
    const paused = new PausedConnections();
    accepted.setTimeout(0);
    expect(paused.pause(accepted)).toBe(false);
    accepted.setTimeout(IDLE_MS);
    accepted.end();
    expect(paused.pause(accepted)).toBe(false);
    expect(paused.count).toBe(0);
  });

  it('skips a connection closed while paused, and expects nothing from it', async () => {
    const paused = new PausedConnections();
    paused.pause(accepted);
    accepted.destroy();
    await once(accepted, 'close');
    paused.resumeAll();
    expect(paused.count).toBe(0);
    expect(paused.expected).toBe(0);
  });
});
