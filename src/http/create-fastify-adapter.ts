import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerFactoryHandler } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage } from 'node:http';
import { UNAVAILABLE_BECAUSE } from '../common/api-refusals.decorator';
import { ServiceBusyException } from '../common/service-busy.exception';
import { AppConfig } from '../config/app-config';
import { ConnectionShare, supervisorChannel } from './connection-share';
import { DeferredContinue } from './deferred-continue';
import { answerFrameworkError, MAX_PATH_SEGMENT_CHARS } from './framework-errors';
import { bodyBudgetFor, LargeBodies } from './large-bodies';
import { PausedConnections } from './paused-connections';
import { RequestAdmission } from './request-admission';
import { serializeReply } from './reply-serializer';
import { schemaErrorMessage } from './schema-error-message';

/** Longer than the 60 s idle timeout of common load balancers, so the balancer, not us, closes idle sockets. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** A client gets this long to send a request's headers, which bounds slow-sending sockets. */
const HEADERS_TIMEOUT_MS = 30_000;
/** The slowest uplink a whole upload of MAX_UPLOAD_MB must get through: 1 Mbit/s. */
const SLOWEST_UPLOAD_BYTES_PER_MS = 1_000_000 / 8 / 1000;

/** How long a client gets to send a whole request: 30 s, or longer where the largest upload needs it. */
function requestTimeoutMs(maxUploadBytes: number): number {
  return Math.max(HEADERS_TIMEOUT_MS, Math.ceil(maxUploadBytes / SLOWEST_UPLOAD_BYTES_PER_MS));
}

/**
 * Requests one API process lets wait, for each place: 25,000 at the default 500 places, well above the 5,000
 * each of two processes holds with 10,000 connections, and about 75 MB of parsed requests.
 */
const WAITING_PER_PLACE = 50;

/**
 * How long a stopping process goes on serving the requests that wait for admission; those left then are
 * answered 503, to be sent again elsewhere. Well within the 15 s `npm start` gives a process to stop.
 */
const STOP_WAITING_AFTER_MS = 5_000;

const BODIES_FULL_RETRY_AFTER_SECONDS = 5;

/** Probes and scrapes are answered at once, however many requests wait their turn. */
const isOperational = ({ url = '' }: IncomingMessage): boolean => url.startsWith('/health') || url.startsWith('/metrics');

/**
 * The HTTP server every API process runs: body limit matched to MAX_TEXT_CHARS, random request ids, at
 * most MAX_CONCURRENT_REQUESTS requests handled at once.
 */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  let admission: RequestAdmission | undefined;
  let connectionShare: ConnectionShare | undefined;
  const deferredContinue = new DeferredContinue();
  const { bodyLimitBytes } = config.http;
  const largestUploadBytes = config.upload.maxBytes + bodyLimitBytes;
  let largeBodies: LargeBodies | undefined;
  const adapter = new FastifyAdapter({
    serverFactory: (handler: FastifyServerFactoryHandler) => {
      const places = config.http.maxConcurrentRequests;
      admission = new RequestAdmission(places, places * WAITING_PER_PLACE, handler, isOperational, {
        paused: new PausedConnections(),
      });
      connectionShare = new ConnectionShare(admission.handle, supervisorChannel());
      const server = createServer(connectionShare.handle);
      deferredContinue.listen(server, connectionShare.handle);
      connectionShare.watch(server);
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.headersTimeout = HEADERS_TIMEOUT_MS;
      server.requestTimeout = requestTimeoutMs(config.upload.maxBytes);
      largeBodies = new LargeBodies(bodyBudgetFor(largestUploadBytes), (request) =>
        // What Node itself does when the request timeout ends a request: Fastify answers 408 and closes the connection.
        server.emit('clientError', Object.assign(new Error('the request body arrives too slowly'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), request.socket),
      );
      return server;
    },
    // Requests already received when closing starts, those waiting for admission included, are answered:
    // by default Fastify would refuse every one that reaches it after that with a 503.
    return503OnClosing: false,
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: () => randomUUID(),
    trustProxy: config.http.trustProxy,
    // Route schemas report every bad field and never turn a number into the string a field asks for.
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
    schemaErrorFormatter: schemaErrorMessage,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_CHARS },
    frameworkErrors: answerFrameworkError,
  });
  adapter
    .getInstance()
    .setReplySerializer(serializeReply)
    // After every onRequest hook, before the body is read.
    .addHook('preParsing', (request, reply, payload, done) => {
      const maxBytes = request.headers['content-type']?.startsWith('multipart/') ? largestUploadBytes : bodyLimitBytes;
      if (largeBodies && !largeBodies.admit(request.raw, reply.raw, maxBytes)) {
        // Asked for no body, the client sends none; one that sent it anyway is not read on.
        void reply.header('Connection', 'close');
        done(new ServiceBusyException(`${UNAVAILABLE_BECAUSE.bodiesFull}; retry after Retry-After seconds`, BODIES_FULL_RETRY_AFTER_SECONDS), undefined);
        return;
      }
      deferredContinue.askForBody(reply.raw);
      done(null, payload);
    })
    .addHook('preClose', async () => {
      // A process that stops accepting is no longer part of the even share.
      connectionShare?.close();
      await admission?.stopWaitingAfter(STOP_WAITING_AFTER_MS);
    })
    // Not on the HTTP server's 'close': that comes once the connections it accepted itself have ended, while
    // those taken through extra descriptors may still have requests waiting, which need the stop deadline.
    // Fastify runs onClose hooks last registered first, so this one runs after the app's wait for them.
    .addHook('onClose', async () => admission?.close());
  return adapter;
}
