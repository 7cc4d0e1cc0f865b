import type { RequestListener, Server as HttpServer, ServerResponse } from 'node:http';

/**
 * Answers `Expect: 100-continue` only once the request has passed its onRequest hooks, the throttle count
 * among them. Left to itself, Node asks every such client for its body at once, so a client over its limit
 * would send a whole upload (curl asks this way for large ones) only to be refused. A request answered
 * before it is asked for its body gets no 100 Continue, and Node then closes its connection rather than
 * wait for a body the client may never send.
 */
export class DeferredContinue {
  private readonly awaiting = new WeakSet<ServerResponse>();

  /** Hands `server`'s requests that expect 100 Continue to `listener`, without asking for their body. */
  listen(server: HttpServer, listener: RequestListener): void {
    server.on('checkContinue', (request, response) => {
      this.awaiting.add(response);
      listener(request, response);
    });
  }

  /** Asks the client for its body, if it is waiting to be asked. */
  askForBody(response: ServerResponse): void {
    if (this.awaiting.delete(response)) response.writeContinue();
  }
}
