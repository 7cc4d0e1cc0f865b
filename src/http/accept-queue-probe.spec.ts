import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, createServer, Server, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { AcceptQueueProbe } from './accept-queue-probe';

/**
 * A process that listens, then reads its own accept queue whenever told to on stdin. Between lines it is
 * blocked reading stdin, so its event loop accepts nothing.
 */
const STALLED_LISTENER = `
const { readSync } = require('node:fs');
const { AcceptQueueProbe } = require(${JSON.stringify(require.resolve('./accept-queue-probe'))});
const server = require('node:net').createServer().listen(0, '127.0.0.1', 64, () => {
  const probe = AcceptQueueProbe.forDescriptor(server._handle.fd, 'IPv4');
  process.stdout.write(server.address().port + ' ' + probe.read() + '\\n');
  for (;;) {
    readSync(0, Buffer.alloc(1));
    process.stdout.write(probe.read() + '\\n');
  }
});`;

const descriptorOf = (server: Server): number => (server as unknown as { _handle: { fd: number } })._handle.fd;

const listen = async (): Promise<Server> => {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

(existsSync('/proc/net/tcp') ? describe : describe.skip)('AcceptQueueProbe', () => {
  let listener: ChildProcess | undefined;
  const sockets: Socket[] = [];

  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.destroy());
    listener?.kill('SIGKILL');
  });

  it('reads how many completed connections wait for the listening process to accept them', async () => {
    listener = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', STALLED_LISTENER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: listener.stdout! })[Symbol.asyncIterator]();
    const [port, before] = ((await lines.next()).value as string).split(' ').map(Number);
    expect(before).toBe(0);

    for (let n = 0; n < 20; n += 1) sockets.push(connect({ host: '127.0.0.1', port }));
    await Promise.all(sockets.map((socket) => once(socket, 'connect')));
    listener.stdin!.write('.');
    expect(Number((await lines.next()).value)).toBe(20);
  });

  it('reads an empty queue on a socket whose process accepts', async () => {
    const server = await listen();
    const probe = AcceptQueueProbe.forDescriptor(descriptorOf(server), 'IPv4')!;
    const { port } = server.address() as { port: number };
    for (let n = 0; n < 5; n += 1) sockets.push(connect({ host: '127.0.0.1', port }));
    await Promise.all(sockets.map((socket) => once(socket, 'connect')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probe.read()).toBe(0);
    await new Promise((resolve) => server.close(resolve));
  });

  it('tells nothing once the socket no longer listens', async () => {
    const server = await listen();
    const probe = AcceptQueueProbe.forDescriptor(descriptorOf(server), 'IPv4')!;
    expect(probe.read()).toBe(0);
    await new Promise((resolve) => server.close(resolve));
    expect(probe.read()).toBeUndefined();
  });
});
