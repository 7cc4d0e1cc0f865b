import { Agent, ClientRequest, createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PausedConnections } from './paused-connections';
import { AdmissionTiming, RequestAdmission } from './request-admission';

describe('RequestAdmission', () => {
  let server: Server;
  let admission: RequestAdmission;
  /** Paths in the order the server received them, and in the order they were handed to the handler. */
  let arrived: string[];
  let started: string[];
  /** Responses the handler has not answered yet, by path. */
  let held: Map<string, ServerResponse>;

  const serve = async (limit: number, timing?: AdmissionTiming, maxWaiting = 100, paused?: PausedConnections): Promise<void> => {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      started.push(request.url!);
      held.set(request.url!, response);
    };
    admission = new RequestAdmission(limit, maxWaiting, handler, (request) => request.url === '/health', { timing, paused });
    server = createServer();
    server.on('request', (request: IncomingMessage) => arrived.push(request.url!));
    server.on('request', admission.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  };

  const clients: ClientRequest[] = [];
  const agents: Agent[] = [];
  /**
   * Sends GET `path` on a connection of its own, or on `agent`'s; resolves with the body once answered. The
   * requests a test leaves unanswered fail when it ends, which no one needs to hear about.
   */
  const get = (path: string, agent: Agent | false = false): Promise<string> => {
    const body = new Promise<string>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const client = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(body));
      });
      client.on('error', reject).end();
      clients.push(client);
    });
    body.catch(() => undefined);
    return body;
  };
  const answer = (path: string) => held.get(path)!.end(`answer to ${path}`);
  /** Waits until the server has received `count` requests in all. */
  const arrivals = async (count: number) => {
    while (arrived.length < count) await sleep(5);
  };

  beforeEach(() => {
    arrived = [];
    started = [];
    held = new Map();
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    agents.splice(0).forEach((agent) => agent.destroy());
    admission.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands over at most `limit` requests at once, and the others in the order they came as earlier ones finish', async () => {
    await serve(2);
    const answers = ['/1', '/2', '/3', '/4'].map((path) => get(path));
    await arrivals(4);
    expect(started).toEqual(arrived.slice(0, 2));
    expect(admission.queued).toBe(2);

    answer(arrived[0]);
    await expect(answers[Number(arrived[0].slice(1)) - 1]).resolves.toBe(`answer to ${arrived[0]}`);
    await sleep(20);
    expect(started).toEqual(arrived.slice(0, 3));

    arrived.slice(1, 3).forEach(answer);
    await sleep(20);
    expect(started).toEqual(arrived);
    expect(admission.queued).toBe(0);
  });

  it('answers 503 at once, and closes the connection, past the most requests it lets wait', async () => {
    await serve(1, { cohortMs: 60_000, countedCohorts: 4 }, 2);
    void get('/busy');
    await arrivals(1);
    void get('/w1');
    void get('/w2');
    await arrivals(3);
    const { port } = server.address() as AddressInfo;
    const refused = await fetch(`http://127.0.0.1:${port}/w3`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'this process already holds 2 requests waiting for their turn; retry after Retry-After seconds',
    });
    expect(started).toEqual(['/busy']);
    expect(admission.queued).toBe(2);
  });

  it('once told to stop waiting, answers 503 to the requests waiting and to those that would wait', async () => {
    await serve(1, { cohortMs: 60_000, countedCohorts: 4 });
    void get('/busy');
    await arrivals(1);
    const waiting = get('/waiting');
    await arrivals(2);
    admission.stopWaitingAfter(10);
    await expect(waiting).resolves.toBe(
      JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'this process is stopping; retry after Retry-After seconds' }),
    );
    await expect(get('/late')).resolves.toContain('this process is stopping');
    expect(started).toEqual(['/busy']);
  });

  it('answers exempt requests at once, however full it is', async () => {
    await serve(1);
    void get('/busy');
    await arrivals(1);
    const health = get('/health');
    await arrivals(2);
    expect(started).toEqual(['/busy', '/health']);
    answer('/health');
    await expect(health).resolves.toBe('answer to /health');
  });

  it('skips a waiting request whose client went away', async () => {
    await serve(1);
    void get('/busy');
    await arrivals(1);
    void get('/gone');
    await arrivals(2);
    clients[1].destroy();
    const next = get('/next');
    await arrivals(3);
    await sleep(20);

    answer('/busy');
    await sleep(20);
    expect(started).toEqual(['/busy', '/next']);
    answer('/next');
    await expect(next).resolves.toBe('answer to /next');
  });

  it('stops counting a request once its cohort expires, so a slow one cannot hold the way shut, and takes nothing back when it ends', async () => {
    jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'] });
    try {
      await serve(1, { cohortMs: 250, countedCohorts: 4 });
      void get('/slow');
      await arrivals(1);
      void get('/after');
      await arrivals(2);
      jest.advanceTimersByTime(3 * 250);
      expect(started).toEqual(['/slow']);
      jest.advanceTimersByTime(250);
      expect(started).toEqual(['/slow', '/after']);

      answer('/slow');
      void get('/third');
      await arrivals(3);
      await sleep(20);
      expect(started).toEqual(['/slow', '/after']);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('with paused connections', () => {
    const NO_EXPIRY: AdmissionTiming = { cohortMs: 60_000, countedCohorts: 4 };
    /** A client that sends its requests one after another on one kept-alive connection. */
    const keptAlive = (): Agent => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      return agent;
    };

    /** One place: /a1 on a kept-alive connection holds it, /b and /c wait; /a1 is answered, /b takes the place. */
    const pauseTheFirstClient = async (paused: PausedConnections) => {
      await serve(1, NO_EXPIRY, 100, paused);
      const first = keptAlive();
      const a1 = get('/a1', first);
      await arrivals(1);
      void get('/b');
      void get('/c');
      await arrivals(3);
      answer('/a1');
      await expect(a1).resolves.toBe('answer to /a1');
      void get('/a2', first);
      await sleep(50);
    };

    it('stops reading a connection once the line is as long as its places, and reads it when the line shortens', async () => {
      const paused = new PausedConnections(60_000);
      await pauseTheFirstClient(paused);
      expect(paused.count).toBe(1);
      expect(arrived).toEqual(['/a1', '/b', '/c']);
      expect(started).toEqual(['/a1', '/b']);

      answer('/b');
      await arrivals(4);
      expect(arrived[3]).toBe('/a2');
      expect(started).toEqual(['/a1', '/b', '/c']);
      answer('/c');
      await sleep(20);
      expect(started).toEqual(['/a1', '/b', '/c', '/a2']);
    });

    it('pauses a connection behind those already paused while requests wait, and none once the line is empty', async () => {
      const paused = new PausedConnections();
      await serve(1, NO_EXPIRY, 100, paused);
      const clients = { a: keptAlive(), b: keptAlive(), c: keptAlive() };
      const firsts: Record<string, Promise<string>> = {};
      for (const name of ['a', 'b', 'c'] as const) {
        firsts[name] = get(`/${name}1`, clients[name]);
        await arrivals(arrived.length + 1);
      }
      void get('/x');
      await arrivals(4);
      /** Answers a client's first request; the client sends its second as soon as it has the answer. */
      const answerFirst = async (name: 'a' | 'b' | 'c') => {
        answer(`/${name}1`);
        await expect(firsts[name]).resolves.toBe(`answer to /${name}1`);
        void get(`/${name}2`, clients[name]);
        await sleep(30);
      };

      await answerFirst('a');
      await answerFirst('b');
      expect(paused.count).toBe(2);
      // The line is empty once c1's answer lets /x start: a is read again, and c, with nothing waiting, is not paused.
      await answerFirst('c');
      expect(arrived.slice(4)).toEqual(['/a2', '/c2']);
      expect(paused.count).toBe(1);

      // /a2 and /c2 wait for /x's place, and b for them; once /c2 starts, the line is empty and b is read again.
      answer('/x');
      await sleep(30);
      expect(arrived.slice(4)).toEqual(['/a2', '/c2']);
      answer('/a2');
      await sleep(30);
      expect(arrived.slice(4)).toEqual(['/a2', '/c2', '/b2']);
      expect(paused.count).toBe(0);
    });

    it('once told to stop waiting, reads the paused connections again before it resolves', async () => {
      const paused = new PausedConnections(60_000);
      await pauseTheFirstClient(paused);
      expect(arrived).not.toContain('/a2');
      await admission.stopWaitingAfter(60_000);
      expect(arrived).toContain('/a2');
      expect(paused.count).toBe(0);
    });
  });
});
