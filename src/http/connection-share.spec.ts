import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONNECTIONS_HELD, CONNECTIONS_SHARE, ConnectionShare, REPORT_EVERY_MS, SupervisorChannel } from './connection-share';

/** A channel to a supervisor that records the reports and delivers the shares a test gives it. */
class FakeSupervisor implements SupervisorChannel {
  readonly reports: unknown[] = [];
  private listener?: (message: unknown) => void;

  send(message: object): void {
    this.reports.push(message);
  }

  listen(listener: (message: unknown) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }

  /** The share that answers a report sent when the process had accepted `accepted` connections in all. */
  giveShare(share: number, accepted: number): void {
    this.listener?.({ rpa: CONNECTIONS_SHARE, share, accepted });
  }

  /** A share from a supervisor that does not echo the report's total. */
  giveBareShare(share: number): void {
    this.listener?.({ rpa: CONNECTIONS_SHARE, share });
  }
}

/** One kept-alive client connection that sends requests and reads whole answers, head and body. */
class Client {
  readonly socket: Socket;
  private received = '';

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1').on('data', (chunk: string) => (this.received += chunk));
  }

  send(requests = 1, headers = ''): void {
    this.socket.write(`GET / HTTP/1.1\r\nhost: test\r\n${headers}\r\n`.repeat(requests));
  }

  /** The answer's head, once the whole answer ("ok") has arrived. */
  async answer(): Promise<string> {
    while (!/\r\n\r\nok/.test(this.received)) await once(this.socket, 'data');
    const end = this.received.indexOf('\r\n\r\nok');
    const head = this.received.slice(0, end);
    this.received = this.received.slice(end + 6);
    return head;
  }

  get closed(): Promise<unknown> {
    return this.socket.closed ? Promise.resolve() : once(this.socket, 'close');
  }
}

const closes = (head: string) => /\r\nconnection: close/i.test(head);

/** Sends one request on each client's connection; the heads of the answers that close their connection. */
async function closingAnswers(clients: Client[]): Promise<string[]> {
  clients.forEach((client) => client.send());
  return (await Promise.all(clients.map((client) => client.answer()))).filter(closes);
}

describe('ConnectionShare', () => {
  let server: Server;
  let supervisor: FakeSupervisor;
  let share: ConnectionShare;
  let handled: number;
  let clients: Client[];
  let logged: jest.SpyInstance;

  const start = async (channel: SupervisorChannel | undefined) => {
    handled = 0;
    share = new ConnectionShare((_request, response) => {
      handled += 1;
      response.end('ok');
    }, channel);
    server = createServer(share.handle);
    share.watch(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  };

  /** `count` clients, each connected and answered once, so the server counts them all. */
  const connectClients = async (count: number): Promise<Client[]> => {
    const port = (server.address() as AddressInfo).port;
    const opened = Array.from({ length: count }, () => new Client(port));
    opened.forEach((client) => client.send());
    await Promise.all(opened.map((client) => client.answer()));
    clients.push(...opened);
    return opened;
  };

  beforeEach(async () => {
    logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    clients = [];
    supervisor = new FakeSupervisor();
    await start(supervisor);
  });
  afterEach(async () => {
    share.close();
    clients.forEach((client) => client.socket.destroy());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    jest.restoreAllMocks();
  });

  it('reports the connections it holds to the supervisor', async () => {
    await connectClients(3);
    await sleep(REPORT_EVERY_MS + 100);
    expect(supervisor.reports.at(-1)).toEqual({ rpa: CONNECTIONS_HELD, count: 3, accepted: 3 });
  });

  it('once its share has settled, closes half its excess as their answers go out, and reports only those staying', async () => {
    const connected = await connectClients(12);
    supervisor.giveShare(2, 12);
    supervisor.giveShare(2, 12);
    connected.forEach((client) => client.send());
    const heads = await Promise.all(connected.map((client) => client.answer()));
    // Ten over a share of two: five are closed, the first five to be answered.
    expect(heads.filter(closes)).toHaveLength(5);
    expect(logged).toHaveBeenCalledWith('Holds 12 connections, 10 over an even share: closing 5 as their answers go out');
    const closed = connected.filter((_, index) => closes(heads[index]));
    await Promise.all(closed.map((client) => client.closed));
    await sleep(REPORT_EVERY_MS + 100);
    expect(supervisor.reports.at(-1)).toEqual({ rpa: CONNECTIONS_HELD, count: 7, accepted: 12 });

    // The next answers keep their connections: the excess is spent until the next share.
    const staying = connected.filter((client) => !closed.includes(client));
    expect(await closingAnswers(staying)).toEqual([]);
  });

  it('closes nothing while the share is still moving, or while the excess is within its tolerance', async () => {
    const connected = await connectClients(12);
    supervisor.giveShare(2, 12);
    supervisor.giveShare(20, 12);
    expect(await closingAnswers(connected)).toEqual([]);

    supervisor.giveShare(8, 12);
    supervisor.giveShare(8, 12);
    expect(await closingAnswers(connected)).toEqual([]);
  });

  it('takes no connection accepted after the report a share answers for excess', async () => {
    await connectClients(2);
    supervisor.giveShare(2, 2);
    const arrivedSince = await connectClients(10);
    // The answer to a report sent before the ten arrived: no share counted them.
    supervisor.giveShare(2, 2);
    expect(await closingAnswers(arrivedSince)).toEqual([]);

    supervisor.giveShare(2, 12);
    expect(await closingAnswers(arrivedSince)).toHaveLength(5);
  });

  it('counts only the reported connections still open when others have come and gone since the report', async () => {
    const reported = await connectClients(12);
    const gone = reported.splice(0, 4);
    gone.forEach((client) => client.socket.destroy());
    const arrivedSince = await connectClients(4);
    await sleep(50);
    // 12 held, but of the 12 reported only 8 are left: 6 over a share of 2, of which 3 are closed.
    supervisor.giveShare(2, 12);
    supervisor.giveShare(2, 12);
    const staying = [...reported, ...arrivedSince];
    expect(await closingAnswers(staying)).toHaveLength(3);
  });

  it('takes no share without the total its report gave', async () => {
    const connected = await connectClients(12);
    supervisor.giveBareShare(2);
    supervisor.giveBareShare(2);
    expect(await closingAnswers(connected)).toEqual([]);
  });

  it('spends none of its excess on a connection its client is closing anyway', async () => {
    const [leaving, ...connected] = await connectClients(12);
    supervisor.giveShare(2, 12);
    supervisor.giveShare(2, 12);
    leaving.send(1, 'connection: close\r\n');
    expect(closes(await leaving.answer())).toBe(true);
    expect(await closingAnswers(connected)).toHaveLength(5);
  });

  it('does not handle a request pipelined behind an answer that closes its connection', async () => {
    const [pipelining] = await connectClients(9);
    handled = 0;
    supervisor.giveShare(1, 9);
    supervisor.giveShare(1, 9);
    pipelining.send(2);
    expect(closes(await pipelining.answer())).toBe(true);
    await pipelining.closed;
    expect(handled).toBe(1);
  });

  it('reports nothing before its server listens, nor once closed', async () => {
    const unlistened = createServer();
    const ownSupervisor = new FakeSupervisor();
    const early = new ConnectionShare(() => undefined, ownSupervisor);
    early.watch(unlistened);
    await sleep(REPORT_EVERY_MS + 100);
    expect(ownSupervisor.reports).toEqual([]);
    early.close();
    unlistened.listen(0, '127.0.0.1');
    await once(unlistened, 'listening');
    await sleep(REPORT_EVERY_MS + 100);
    expect(ownSupervisor.reports).toEqual([]);
    await new Promise((resolve) => unlistened.close(resolve));
  });

  it('without a supervisor keeps every connection', async () => {
    share.close();
    await new Promise((resolve) => server.close(resolve));
    await start(undefined);
    const connected = await connectClients(6);
    expect(await closingAnswers(connected)).toEqual([]);
  });
});
