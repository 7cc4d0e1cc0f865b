import { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this are refused with 413 (the papers of one call are far smaller). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** The whole request body as UTF-8; rejects if the client goes away first or the body exceeds MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection before the body ended'));
    });
  });
}

/** Writes `body` as JSON with `status` and `headers`, unless the client is already gone. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when absent or empty. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
  const token = match?.[1].trim();
  return token ? token : undefined;
}
