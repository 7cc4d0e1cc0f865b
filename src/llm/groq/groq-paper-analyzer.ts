import { Logger } from '@nestjs/common';
import Groq, { APIError } from 'groq-sdk';
import type { ChatCompletionCreateParamsNonStreaming } from 'groq-sdk/resources/chat/completions';
import type { CompletionUsage } from 'groq-sdk/resources/completions';
import { AppConfig } from '../../config/app-config';
import { PaperDocument } from '../analysis';
import { ANALYSIS_BATCH_SCHEMA, analysisItemProblems, AnalysisItem } from '../analysis-schema';
import { completionTokensFor } from '../completion-budget';
import { AnalysisWithdrawnError, InvalidAnalysisError, LlmUnavailableError } from '../llm-errors';
import { BatchAnalysis, DocumentOutcome, PaperAnalyzer } from '../paper-analyzer.port';
import { ProviderRateLimits, readProviderRateLimits } from '../rate-limit/provider-rate-limits';
import { CallOutcome, Reservation, SharedRateLimiter } from '../rate-limit/shared-rate-limiter';
import { countChatTokens } from '../token-counter';
import { mapGroqError } from './groq-error-mapping';
import { buildPapersMessage, SYSTEM_PROMPT } from './paper-prompt';

/** Models that accept `response_format: json_schema` with `strict: true` on Groq. */
const supportsStrictSchema = (model: string) => model.startsWith('openai/gpt-oss');
/**
 * The least reasoning each model family takes (the thinking counts against the completion budget): gpt-oss
 * and qwen3.8 take 'low'; the other qwen3 models only 'none' or 'default'; other models take no setting.
 */
function leastReasoningEffort(model: string): 'low' | 'none' | undefined {
  if (model.startsWith('openai/gpt-oss') || model.startsWith('qwen/qwen3.8')) return 'low';
  if (model.startsWith('qwen/qwen3')) return 'none';
  return undefined;
}

/** Why a call was aborted: the reasons its controller is given. */
const DEADLINE_PASSED = Symbol('LLM_TIMEOUT_MS passed');
const CUT_OFF = Symbol('the worker cut the call off');

/**
 * Analyses a batch of papers in one Groq chat completion whose JSON answer holds one item per paper id,
 * each call within the key's limits shared by every worker process.
 */
export class GroqPaperAnalyzer implements PaperAnalyzer {
  private readonly logger = new Logger(GroqPaperAnalyzer.name);
  private readonly client: Groq;
  private readonly model: string;
  private readonly reasoningEffort: 'low' | 'none' | undefined;
  private readonly tokensPerMinute: number;
  private readonly timeoutMs: number;
  /** One controller per call under way, each ended by its deadline or by cutOffCalls(). */
  private readonly callsUnderWay = new Set<AbortController>();
  private cutOff = false;

  constructor(
    config: AppConfig['llm'],
    private readonly limiter: SharedRateLimiter,
  ) {
    this.model = config.groq.model;
    this.reasoningEffort = leastReasoningEffort(this.model);
    this.tokensPerMinute = config.limits.tokensPerMinute;
    this.timeoutMs = config.groq.timeoutMs;
    // Retries are the batch processor's, so that rate limits and accounting see every call.
    this.client = new Groq({ apiKey: config.groq.apiKey, baseURL: config.groq.baseUrl, maxRetries: 0, timeout: config.groq.timeoutMs });
  }

  stopWaiting(): void {
    this.limiter.stopWaiting();
  }

  cutOffCalls(): number {
    this.cutOff = true;
    const count = this.callsUnderWay.size;
    this.callsUnderWay.forEach((call) => call.abort(CUT_OFF));
    return count;
  }

  async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    const messages = [
      { role: 'system' as const, content: SYSTEM_PROMPT },
      { role: 'user' as const, content: buildPapersMessage(documents) },
    ];
    const inputTokens = countChatTokens(messages);
    const maxCompletionTokens = this.maxCompletionTokens(documents.length, inputTokens);
    const reservation = await this.limiter.reserve(inputTokens + maxCompletionTokens);
    const sent = await this.underWay((signal) => this.client.chat.completions.create(this.request(messages, maxCompletionTokens), { signal }).withResponse());
    if (!sent.answered) {
      const { outcome, reported } = failedCall(sent.error);
      await this.completeReservation(reservation, outcome, reported);
      if (sent.abortedFor === CUT_OFF) throw new AnalysisWithdrawnError('the analysis call was under way, and cut it off');
      if (sent.abortedFor === DEADLINE_PASSED) throw new LlmUnavailableError(`Groq did not finish answering within LLM_TIMEOUT_MS (${this.timeoutMs} ms)`, { cause: sent.error });
      throw mapGroqError(sent.error, this.model);
    }
    const { data: completion, response } = sent.answer;
    // Groq holds the completion budget asked for against the limit, whatever the answer's length.
    const countedTokens = uncachedPromptTokens(completion.usage, inputTokens) + maxCompletionTokens;
    await this.completeReservation(reservation, { kind: 'answered', countedTokens }, readProviderRateLimits(response.headers));
    return {
      outcomes: this.readOutcomes(documents, completion.choices[0]?.message?.content ?? ''),
      usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
    };
  }

  /**
   * Makes one call under its deadline (the client's own timeout ends once the answer's headers arrive: this one
   * also covers its body) and the worker's cut-off. The call is over, and no longer cut off, once this settles:
   * why it was aborted is read then, before the caller's bookkeeping gives the deadline time to pass.
   */
  private async underWay<T>(send: (signal: AbortSignal) => Promise<T>): Promise<{ answered: true; answer: T } | { answered: false; error: unknown; abortedFor: unknown }> {
    const call = new AbortController();
    if (this.cutOff) call.abort(CUT_OFF);
    this.callsUnderWay.add(call);
    const deadline = setTimeout(() => call.abort(DEADLINE_PASSED), this.timeoutMs);
    try {
      return { answered: true, answer: await send(call.signal) };
    } catch (error) {
      return { answered: false, error, abortedFor: call.signal.reason };
    } finally {
      clearTimeout(deadline);
      this.callsUnderWay.delete(call);
    }
  }

  /**
   * Room for the reasoning and each document's answer, but no more than the key's tokens per minute leave beside
   * the input: Groq counts the whole budget against that limit and refuses a call that cannot fit in it.
   */
  private maxCompletionTokens(documentCount: number, inputTokens: number): number {
    return Math.max(1, Math.min(completionTokensFor(documentCount), this.tokensPerMinute - inputTokens));
  }

  private request(messages: ChatCompletionCreateParamsNonStreaming['messages'], maxCompletionTokens: number): ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.model,
      messages,
      temperature: 0.2,
      max_completion_tokens: maxCompletionTokens,
      ...(this.reasoningEffort && { reasoning_effort: this.reasoningEffort }),
      response_format: supportsStrictSchema(this.model)
        ? { type: 'json_schema', json_schema: { name: 'paper_analyses', strict: true, schema: ANALYSIS_BATCH_SCHEMA } }
        : { type: 'json_object' },
    };
  }

  /** The limiter's bookkeeping must neither cost an answer already received nor hide the provider's error. */
  private async completeReservation(reservation: Reservation, outcome: CallOutcome, reported: ProviderRateLimits): Promise<void> {
    try {
      await this.limiter.complete(reservation, outcome, reported);
    } catch (error) {
      this.logger.warn(`Could not record an LLM call in the shared rate limits: ${(error as Error).message}`);
    }
  }

  private readOutcomes(documents: readonly PaperDocument[], content: string): Map<string, DocumentOutcome> {
    const items = this.parseItems(content);
    return new Map(documents.map((document) => [document.id, this.outcomeFor(document.id, items)]));
  }

  private parseItems(content: string): Map<string, unknown> | InvalidAnalysisError {
    try {
      const answer = JSON.parse(content) as { analyses?: unknown };
      if (!Array.isArray(answer.analyses)) return new InvalidAnalysisError('the answer has no "analyses" array');
      const items = answer.analyses as Partial<AnalysisItem>[];
      return new Map(items.filter((item) => typeof item?.id === 'string').map((item) => [item.id as string, item]));
    } catch (error) {
      return new InvalidAnalysisError('the answer is not valid JSON', { cause: error });
    }
  }

  private outcomeFor(id: string, items: Map<string, unknown> | InvalidAnalysisError): DocumentOutcome {
    if (items instanceof InvalidAnalysisError) return { ok: false, error: items };
    const item = items.get(id);
    if (item === undefined) return { ok: false, error: new InvalidAnalysisError('the answer has no item for this paper') };
    const problems = analysisItemProblems(item);
    if (problems) return { ok: false, error: new InvalidAnalysisError(`the item does not match the schema: ${problems}`) };
    const { id: _id, ...fields } = item as AnalysisItem;
    return { ok: true, fields };
  }
}

/**
 * The prompt tokens Groq counts against the key's limits: those it did not serve from its prompt cache
 * (our own count when it reported no usage).
 */
function uncachedPromptTokens(usage: CompletionUsage | undefined, estimate: number): number {
  if (!usage) return estimate;
  return usage.prompt_tokens - (usage.prompt_tokens_details?.cached_tokens ?? 0);
}

/** What became of a call that threw, and what the provider reported with its error. */
function failedCall(error: unknown): { outcome: CallOutcome; reported: ProviderRateLimits } {
  if (!(error instanceof APIError)) return { outcome: { kind: 'failed' }, reported: {} };
  const refused = error.status === 429;
  return {
    outcome: { kind: refused ? 'refused' : 'failed' },
    reported: readProviderRateLimits(error.headers as Headers | undefined, refused ? error.message : undefined),
  };
}
