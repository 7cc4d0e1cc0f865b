import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';

interface Link {
  client: Socket;
  upstream: Socket;
  /** What the client sent first, where ioredis names its connection (CLIENT SETNAME). */
  opening: string;
  /** Forgotten by the network for good: nothing passes either way, and nothing closes it. */
  lost: boolean;
  /** Bytes that arrived as the link was cut off, delivered when it heals. */
  heldForUpstream: Buffer[];
  heldForClient: Buffer[];
}

/** How much of a connection's first bytes are searched for its name. */
const OPENING_BYTES = 1_024;

/**
 * A TCP proxy to Redis that can cut off the connections of one name as a network partition would: they stay
 * open, what their client sends is accepted and never delivered, and no answer comes back. It can also
 * lose its open connections for good.
 */
export class PartitioningProxy {
  private readonly server: Server;
  private readonly links = new Set<Link>();
  private cutOffName?: string;

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.link(client));
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Cuts off every connection, open or to come, that named itself `name`. */
  cutOff(name: string): void {
    this.cutOffName = name;
    this.links.forEach((link) => this.applyCut(link));
  }

  /**
   * Loses every connection open now, as a NAT or firewall that forgets its connections does: both ends stay
   * open, and what either sends is dropped. Connections opened afterwards pass. Unlike such a network, closing
   * one end still closes the other, so Redis does not go on serving a connection its client has given up.
   */
  loseOpenConnections(): void {
    this.links.forEach((link) => (link.lost = true));
  }

  /** Ends the partition: held traffic flows again. */
  heal(): void {
    this.cutOffName = undefined;
    this.links.forEach((link) => {
      link.heldForUpstream.splice(0).forEach((chunk) => link.upstream.write(chunk));
      link.heldForClient.splice(0).forEach((chunk) => link.client.write(chunk));
      link.client.resume();
      link.upstream.resume();
    });
  }

  async stop(): Promise<void> {
    this.links.forEach(({ client, upstream }) => {
      client.destroy();
      upstream.destroy();
    });
    await new Promise((resolve) => this.server.close(resolve));
  }

  private link(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort });
    const link: Link = { client, upstream, opening: '', lost: false, heldForUpstream: [], heldForClient: [] };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.lost) return;
      if (link.opening.length < OPENING_BYTES) link.opening += chunk.toString('latin1');
      if (this.applyCut(link)) link.heldForUpstream.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.lost) return;
      if (this.applyCut(link)) link.heldForClient.push(chunk);
      else client.write(chunk);
    });
    const unlink = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', unlink).on('error', unlink);
    upstream.on('close', unlink).on('error', unlink);
  }

  private isCutOff(link: Link): boolean {
    return this.cutOffName !== undefined && link.opening.includes(this.cutOffName);
  }

  /** Stops reading both ends of a cut-off link, so what they send waits in the kernel; true if cut off. */
  private applyCut(link: Link): boolean {
    if (!this.isCutOff(link)) return false;
    link.client.pause();
    link.upstream.pause();
    return true;
  }
}
