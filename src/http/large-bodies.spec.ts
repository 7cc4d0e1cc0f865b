import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LargeBodies } from './large-bodies';

const BUDGET = 3_000_000;
const SMALL = 1_000;
const head = (length: number) => `POST /analyze HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

/** LargeBodies behind a real HTTP server whose requests, like the service's, reach it a moment after their headers. */
describe('LargeBodies', () => {
  let server: Server;
  let bodies: LargeBodies;
  let admissions: Array<{ request: IncomingMessage; admitted: boolean }>;
  const sockets: Socket[] = [];

  const client = async (data: string) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    sockets.push(socket);
    await once(socket, 'connect');
    socket.write(data);
    return socket;
  };
  const admitted = async (count: number) => {
    while (admissions.length < count) await sleep(10);
    return admissions.map((admission) => admission.admitted);
  };

  beforeEach(async () => {
    admissions = [];
    bodies = new LargeBodies(BUDGET, () => undefined);
    // As the throttle's count in Redis delays the service's, and the request is never answered.
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void sleep(30).then(() => admissions.push({ request, admitted: bodies.admit(request, response, 10_000_000) }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.destroy());
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('refuses a body that does not fit beside those arriving, and fits it once they are gone', async () => {
    const first = await client(head(2_000_000));
    await client(head(2_000_000));
    expect(await admitted(2)).toEqual([true, false]);
    first.destroy();
    await sleep(50);
    await client(head(2_000_000));
    expect(await admitted(3)).toEqual([true, false, true]);
  });

  it('reserves nothing for a client that left before its body was admitted', async () => {
    (await client(head(2_500_000))).destroy();
    await admitted(1);
    await client(head(BUDGET));
    expect(await admitted(2)).toEqual([true, true]);
  });

  it('releases a pipelined request whose answer, queued behind another, never closes', async () => {
    // The first request's body is whole, so Node reads the second while the first is still unanswered.
    const pipelined = await client(head(20_000) + 'x'.repeat(20_000) + head(1_000_000));
    expect(await admitted(2)).toEqual([true, true]);
    pipelined.destroy();
    await sleep(50);
    await client(head(BUDGET));
    expect(await admitted(3)).toEqual([true, true, true]);
  });

  it('watches no small body and no request without one', async () => {
    await client(head(SMALL) + 'x'.repeat(SMALL));
    await client('GET /status HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await client(head(BUDGET));
    expect(await admitted(3)).toEqual([true, true, true]);
  });
});
