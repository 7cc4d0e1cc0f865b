import { once } from 'node:events';
import { connect } from 'node:net';

/** Interim answers (100 Continue) ahead of the final one. */
const INTERIM_ANSWERS = /^(?:HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/;

/** A POST /analyze sent in parts over a connection of its own, read until the server's final answer ends. */
export class HalfSentRequest {
  private readonly socket;
  private readonly answer: Promise<string>;
  private readonly statusLine: Promise<string>;
  private readonly head: string;
  private bodySent = 0;

  constructor(
    port: number,
    private readonly body: string,
    headers: Record<string, string> = {},
  ) {
    this.socket = connect({ host: '127.0.0.1', port });
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    this.head = `POST /analyze HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${extra.join('')}content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    let received = '';
    let answerStatusLine: (line: string) => void = () => undefined;
    this.statusLine = new Promise((resolve) => (answerStatusLine = resolve));
    this.answer = new Promise((resolve, reject) => {
      this.socket.on('data', (chunk) => {
        received += chunk;
        const lineEnd = received.indexOf('\r\n');
        if (lineEnd >= 0) answerStatusLine(received.slice(0, lineEnd));
        const final = received.replace(INTERIM_ANSWERS, '');
        const length = /content-length: (\d+)/i.exec(final)?.[1];
        const end = final.indexOf('\r\n\r\n');
        if (length !== undefined && end >= 0 && final.length >= end + 4 + Number(length)) {
          this.socket.destroy();
          resolve(received);
        }
      });
      this.socket.on('error', reject);
      this.socket.on('close', () => {
        answerStatusLine(received);
        resolve(received);
      });
    });
  }

  /** Sends the headers alone: what a client expecting 100 Continue sends before it is asked for the body. */
  async sendHead(): Promise<void> {
    await once(this.socket, 'connect');
    this.socket.write(this.head);
  }

  async sendFirstHalf(): Promise<void> {
    await once(this.socket, 'connect');
    this.bodySent = this.body.length >> 1;
    this.socket.write(this.head + this.body.slice(0, this.bodySent));
  }

  /** Closes the connection without sending the rest. */
  abandon(): void {
    this.socket.destroy();
  }

  /** Sends the rest of the body and answers the server's whole answer (status line, headers and body). */
  finish(): Promise<string> {
    this.socket.write(this.body.slice(this.bodySent));
    return this.answered();
  }

  /** The first status line the server sent: an interim one (100 Continue) or its answer's. */
  firstStatusLine(): Promise<string> {
    return this.statusLine;
  }

  /** Everything the server sent, up to the end of its final answer, however much of the body it was sent. */
  answered(): Promise<string> {
    return this.answer;
  }
}
