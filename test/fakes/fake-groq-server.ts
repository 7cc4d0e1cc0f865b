import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extractPaperBlocks, PaperBlock } from '../../src/llm/groq/paper-prompt';
import { countChatTokens, countTokens } from '../../src/llm/token-counter';
import { AnalysisItem, writeAnalyses } from './analysis-writer';
import { ChatRequest, ChatRequestError, lastUserMessage, parseChatRequest } from './chat-request';
import {
  DEFAULT_FAKE_GROQ_OPTIONS,
  FakeGroqOptions,
  FakeGroqServerOptions,
  FaultKind,
  mergeOptions,
  parseFaultKinds,
} from './fake-groq-options';
import { CallLogEntry, FakeGroqStats, FakeGroqStatsRecorder } from './fake-groq-stats';
import {
  GroqRateLimiter,
  RateRefusal,
  rateLimitMessage,
  rateLimitType,
  requestTooLargeMessage,
  retryAfterSeconds,
  UNLIMITED_REPORTED_LIMIT,
} from './groq-rate-limits';
import {
  badRequest,
  chatCompletion,
  completionUsage,
  groqError,
  groqRequestId,
  INVALID_API_KEY,
  JSON_VALIDATE_FAILED,
  notFound,
  SERVER_ERROR,
  SERVICE_UNAVAILABLE,
} from './groq-wire';
import { bearerToken, BodyTooLargeError, readBody, sendJson } from './http-io';

export type { FakeGroqOptions, FakeGroqServerOptions, FaultKind } from './fake-groq-options';
export type { CallLogEntry, FakeGroqStats } from './fake-groq-stats';

const HOST = '127.0.0.1';
export const CHAT_COMPLETIONS_PATH = '/openai/v1/chat/completions';

/** A chat request that passed authentication and validation. */
interface AcceptedCall {
  request: ChatRequest;
  papers: PaperBlock[];
  entry: CallLogEntry;
  requestId: string;
}

/** The answer to an admitted call, before any fault bends it. */
interface Answer {
  analyses: AnalysisItem[];
  promptTokens: number;
}

/**
 * A stand-in for Groq's OpenAI-compatible chat-completions API on 127.0.0.1, for tests and benchmarks that run
 * the real groq-sdk against it (baseURL = `baseUrl`). It answers one analysis per paper found in the last user
 * message, enforces Groq-style RPM/TPM/RPD limits over sliding windows, injects faults on demand, and counts
 * what it did. Control endpoints on the same port: `GET /stats`, `POST /control`, `POST /reset`.
 *
 * Faulted requests skip the rate-limit windows; 401/400 requests never reach them. Paper text is never logged.
 */
export class FakeGroqServer {
  private server?: Server;
  private address?: { port: number; baseUrl: string };
  private current: FakeGroqOptions;
  private readonly limiter: GroqRateLimiter;
  private readonly recorder = new FakeGroqStatsRecorder();
  private faultQueue: FaultKind[] = [];
  private random: () => number;
  /** Cancels for latency timers still running, so that stop() ends them. */
  private readonly pending = new Set<() => void>();
  /** Responses a `timeout` fault keeps open until the client gives up or the server stops. */
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly serverOptions: FakeGroqServerOptions = {}) {
    const { port: _port, ...options } = serverOptions;
    this.current = mergeOptions(DEFAULT_FAKE_GROQ_OPTIONS, options);
    this.limiter = new GroqRateLimiter(this.current);
    this.random = seededRandom(this.current.seed);
  }

  /** Listens on 127.0.0.1 (the configured port, or a free one). `baseUrl` is the server root for groq-sdk's baseURL. */
  async start(): Promise<{ port: number; baseUrl: string }> {
    if (this.address) return this.address;
    const server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.serverOptions.port ?? 0, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.address = { port, baseUrl: `http://${HOST}:${port}` };
    return this.address;
  }

  /** Stops listening and drops every connection, including idle keep-alive ones and held `timeout` responses. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.address = undefined;
    for (const cancel of [...this.pending]) cancel();
    for (const res of [...this.held]) res.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  stats(): FakeGroqStats {
    return this.recorder.snapshot();
  }

  /** The options in force. */
  options(): FakeGroqOptions {
    return { ...this.current, faultKinds: [...this.current.faultKinds] };
  }

  /** Changes some options live; throws on an invalid value (and then changes nothing). */
  configure(patch: Partial<FakeGroqOptions>): FakeGroqOptions {
    this.current = mergeOptions(this.current, patch);
    this.limiter.setLimits(this.current);
    if (patch.seed !== undefined) this.random = seededRandom(this.current.seed);
    return this.options();
  }

  /** Faults for the next requests, one each, in order, before `faultRate` is consulted. */
  queueFaults(kinds: readonly FaultKind[]): void {
    this.faultQueue.push(...parseFaultKinds(kinds));
  }

  queuedFaults(): FaultKind[] {
    return [...this.faultQueue];
  }

  /** Requests a `timeout` fault still holds open (0 once their clients gave up: nothing leaks). */
  openHeldRequests(): number {
    return this.held.size;
  }

  /** Clears the stats, the rate-limit windows and the fault queue, and reseeds `faultRate`; options stay. */
  reset(): void {
    this.recorder.reset();
    this.limiter.clear();
    this.faultQueue = [];
    this.random = seededRandom(this.current.seed);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      const body = await readBody(req);
      if (req.method === 'POST' && path === CHAT_COMPLETIONS_PATH) await this.handleChat(req, res, body);
      else if (req.method === 'GET' && path === '/stats') sendJson(res, 200, this.stats());
      else if (req.method === 'POST' && path === '/control') this.handleControl(res, body);
      else if (req.method === 'POST' && path === '/reset') this.handleReset(res);
      else sendJson(res, 404, notFound(path));
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendJson(res, 413, badRequest(error.message));
      else if (!res.headersSent) sendJson(res, 500, SERVER_ERROR);
    }
  }

  private handleControl(res: ServerResponse, body: string): void {
    try {
      const { queueFaults, ...patch } = (body.trim() ? JSON.parse(body) : {}) as Record<string, unknown>;
      const faults = queueFaults === undefined ? [] : parseFaultKinds(asArray(queueFaults, 'queueFaults'));
      const options = this.configure(patch as Partial<FakeGroqOptions>);
      this.queueFaults(faults);
      sendJson(res, 200, { options, queued_faults: this.queuedFaults() });
    } catch (error) {
      sendJson(res, 400, badRequest(error instanceof Error ? error.message : String(error)));
    }
  }

  private handleReset(res: ServerResponse): void {
    this.reset();
    sendJson(res, 200, { ok: true });
  }

  private async handleChat(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const receivedAt = Date.now();
    const requestId = groqRequestId();
    if (!bearerToken(req)) {
      this.refuse(res, this.recorder.begin(receivedAt, 0), 401, INVALID_API_KEY);
      return;
    }
    let request: ChatRequest;
    try {
      request = parseChatRequest(body);
    } catch (error) {
      if (!(error instanceof ChatRequestError)) throw error;
      this.refuse(res, this.recorder.begin(receivedAt, 0), 400, badRequest(error.message), requestId);
      return;
    }
    const papers = extractPaperBlocks(lastUserMessage(request.messages));
    const entry = this.recorder.begin(receivedAt, papers.length);
    if (papers.length === 0) {
      const message = 'no <paper> blocks found in the last user message';
      this.refuse(res, entry, 400, badRequest(message), requestId);
      return;
    }
    await this.answerCall(res, { request, papers, entry, requestId });
  }

  private async answerCall(res: ServerResponse, call: AcceptedCall): Promise<void> {
    const fault = this.nextFault();
    const answer: Answer = {
      analyses: writeAnalyses(call.papers),
      promptTokens: countChatTokens(call.request.messages),
    };
    if (fault) {
      await this.answerWithFault(res, call, answer, fault);
      return;
    }
    const content = JSON.stringify({ analyses: answer.analyses });
    const reserved = answer.promptTokens + (call.request.maxCompletionTokens ?? countTokens(content));
    const now = Date.now();
    const admission = this.limiter.admit(reserved, now);
    if (!admission.admitted) {
      this.refuseOverLimit(res, call, admission.refusal, now);
      return;
    }
    if (!(await this.delay(this.current.latencyMs))) return;
    this.sendCompletion(res, call, answer.promptTokens, content, { limitTokens: reserved });
  }

  private async answerWithFault(res: ServerResponse, call: AcceptedCall, answer: Answer, fault: FaultKind): Promise<void> {
    if (fault === 'rate_limited') {
      this.sendInjectedRateLimit(res, call);
      return;
    }
    if (fault === 'timeout') {
      this.recorder.finish(call.entry, { status: 0, fault });
      this.hold(res);
      return;
    }
    if (fault === 'stalled_body') {
      // The headers and the start of the answer, then nothing more until the client gives up.
      res.writeHead(200, { ...this.headers(call.requestId), 'content-type': 'application/json' });
      res.write('{"id":"');
      this.recorder.finish(call.entry, { status: 200, fault });
      this.hold(res);
      return;
    }
    if (!(await this.delay(this.current.latencyMs))) return;
    if (fault === 'json_validate_failed') {
      sendJson(res, 400, JSON_VALIDATE_FAILED, this.headers(call.requestId));
      this.recorder.finish(call.entry, { status: 400, fault });
      return;
    }
    if (fault === 'server_error' || fault === 'unavailable') {
      const status = fault === 'server_error' ? 500 : 503;
      sendJson(res, status, fault === 'server_error' ? SERVER_ERROR : SERVICE_UNAVAILABLE, this.headers(call.requestId));
      this.recorder.finish(call.entry, { status, fault });
      return;
    }
    this.sendCompletion(res, call, answer.promptTokens, faultyContent(fault, answer.analyses), { fault });
  }

  private sendCompletion(
    res: ServerResponse,
    call: AcceptedCall,
    promptTokens: number,
    content: string,
    { fault, limitTokens }: { fault?: FaultKind; limitTokens?: number } = {},
  ): void {
    const completionTokens = countTokens(content);
    const usage = completionUsage(promptTokens, completionTokens);
    sendJson(res, 200, chatCompletion(call.request.model, content, usage, call.requestId), this.headers(call.requestId));
    this.recorder.finish(call.entry, { status: 200, fault, promptTokens, completionTokens, limitTokens });
  }

  private refuseOverLimit(res: ServerResponse, call: AcceptedCall, refusal: RateRefusal, now: number): void {
    const model = call.request.model;
    const type = rateLimitType(refusal);
    if (refusal.retryAfterMs === Infinity) {
      this.refuse(res, call.entry, 413, groqError(requestTooLargeMessage(model, refusal), type, 'rate_limit_exceeded'), call.requestId);
      return;
    }
    const headers = { ...this.headers(call.requestId, now), 'retry-after': String(retryAfterSeconds(refusal.retryAfterMs)) };
    sendJson(res, 429, groqError(rateLimitMessage(model, refusal), type, 'rate_limit_exceeded'), headers);
    this.recorder.finish(call.entry, { status: 429 });
  }

  private sendInjectedRateLimit(res: ServerResponse, call: AcceptedCall): void {
    const seconds = this.current.retryAfterSeconds;
    // The limit a client may learn from the message: the configured one, or one no client reaches, as the headers report it.
    const limitValue = this.current.rpm || UNLIMITED_REPORTED_LIMIT;
    const refusal: RateRefusal = { limit: 'RPM', limitValue, used: limitValue, requested: 1, retryAfterMs: seconds * 1000 };
    const headers = { ...this.headers(call.requestId), 'retry-after': String(seconds) };
    sendJson(res, 429, groqError(rateLimitMessage(call.request.model, refusal), 'requests', 'rate_limit_exceeded'), headers);
    this.recorder.finish(call.entry, { status: 429, fault: 'rate_limited' });
  }

  private refuse(res: ServerResponse, entry: CallLogEntry, status: number, body: unknown, requestId?: string): void {
    sendJson(res, status, body, requestId ? this.headers(requestId) : {});
    this.recorder.finish(entry, { status });
  }

  private headers(requestId: string, now = Date.now()): Record<string, string> {
    return { ...this.limiter.headers(now), 'x-request-id': requestId };
  }

  private nextFault(): FaultKind | undefined {
    const queued = this.faultQueue.shift();
    if (queued) return queued;
    const { faultRate, faultKinds } = this.current;
    if (faultRate <= 0 || faultKinds.length === 0 || this.random() >= faultRate) return undefined;
    return faultKinds[Math.floor(this.random() * faultKinds.length)];
  }

  /** Waits `ms`; resolves false if the server stopped meanwhile (then nothing may be written). */
  private delay(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.pending.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.pending.delete(cancel);
        resolve(true);
      }, ms);
      this.pending.add(cancel);
    });
  }

  /** Keeps the request open without answering, until the client gives up or the server stops. */
  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.once('close', () => this.held.delete(res));
  }
}

/** The content an injected content fault answers with instead of the correct analyses. */
function faultyContent(fault: FaultKind, analyses: readonly AnalysisItem[]): string {
  if (fault === 'malformed_json') {
    const full = JSON.stringify({ analyses });
    return full.slice(0, Math.max(12, Math.floor(full.length / 2)));
  }
  if (fault === 'missing_item') return JSON.stringify({ analyses: analyses.slice(0, -1) });
  const [first, ...rest] = analyses;
  const { key_findings: _dropped, ...withoutFindings } = first;
  return JSON.stringify({ analyses: [{ ...withoutFindings, summary: 42 }, ...rest] });
}

function asArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${name} must be an array of fault kinds`);
  return value;
}

/** mulberry32: a small seeded generator, so `faultRate` picks the same faults for the same sequence of requests. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
