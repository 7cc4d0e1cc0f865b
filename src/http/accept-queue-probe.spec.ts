import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, Socket } from 'node:net';
import { AcceptQueueProbe } from './accept-queue-probe';

/** A process that listens, says on which port, then blocks its event loop so it accepts nothing. */
const STALLED_LISTENER = `
const server = require('node:net').createServer().listen(0, '127.0.0.1', 64, () => {
  process.stdout.write(server.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000));
});`;

describe('AcceptQueueProbe', () => {
  let listener: ChildProcess;
  const sockets: Socket[] = [];

  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.destroy());
    listener?.kill('SIGKILL');
  });

  it('reads how many completed connections wait for the listening process to accept them', async () => {
    listener = spawn(process.execPath, ['-e', STALLED_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(listener.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    const probe = new AcceptQueueProbe(port, 'IPv4');
    expect(probe.read()).toBe(0);

    for (let n = 0; n < 20; n += 1) sockets.push(connect({ host: '127.0.0.1', port }));
    await Promise.all(sockets.map((socket) => once(socket, 'connect')));
    expect(probe.read()).toBe(20);
  });

  it('reads an empty queue on a socket whose process accepts', async () => {
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    for (let n = 0; n < 5; n += 1) sockets.push(connect({ host: '127.0.0.1', port }));
    await Promise.all(sockets.map((socket) => once(socket, 'connect')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new AcceptQueueProbe(port, 'IPv4').read()).toBe(0);
    sockets.splice(0).forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  it('tells nothing for a port no socket listens on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    expect(new AcceptQueueProbe(port, 'IPv4').read()).toBeUndefined();
  });
});
