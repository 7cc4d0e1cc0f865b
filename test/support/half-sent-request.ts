import { once } from 'node:events';
import { connect } from 'node:net';

/** A POST /analyze sent in two halves over a connection of its own, read until the server's answer ends. */
export class HalfSentRequest {
  private readonly socket;
  private readonly answer: Promise<string>;
  private readonly head: string;

  constructor(
    port: number,
    private readonly body: string,
    headers: Record<string, string> = {},
  ) {
    this.socket = connect({ host: '127.0.0.1', port });
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    this.head = `POST /analyze HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${extra.join('')}content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    let received = '';
    this.answer = new Promise((resolve, reject) => {
      this.socket.on('data', (chunk) => {
        received += chunk;
        const length = /content-length: (\d+)/i.exec(received)?.[1];
        const end = received.indexOf('\r\n\r\n');
        if (length !== undefined && end >= 0 && received.length >= end + 4 + Number(length)) {
          this.socket.destroy();
          resolve(received);
        }
      });
      this.socket.on('error', reject);
      this.socket.on('close', () => resolve(received));
    });
  }

  async sendFirstHalf(): Promise<void> {
    await once(this.socket, 'connect');
    this.socket.write(this.head + this.body.slice(0, this.body.length >> 1));
  }

  /** Closes the connection without sending the rest. */
  abandon(): void {
    this.socket.destroy();
  }

  /** Sends the rest and answers the server's whole answer (status line, headers and body). */
  finish(): Promise<string> {
    this.socket.write(this.body.slice(this.body.length >> 1));
    return this.answered();
  }

  /** The server's whole answer, however much of the body it was sent. */
  answered(): Promise<string> {
    return this.answer;
  }
}
