import Groq from 'groq-sdk';
import type { ChatCompletionCreateParamsNonStreaming } from 'groq-sdk/resources/chat/completions';
import { AppConfig } from '../../config/app-config';
import { PaperDocument } from '../analysis';
import { ANALYSIS_BATCH_SCHEMA, analysisItemProblems, AnalysisItem } from '../analysis-schema';
import { InvalidAnalysisError } from '../llm-errors';
import { BatchAnalysis, DocumentOutcome, PaperAnalyzer } from '../paper-analyzer.port';
import { mapGroqError } from './groq-error-mapping';
import { buildPapersMessage, SYSTEM_PROMPT } from './paper-prompt';

/** Room for gpt-oss's reasoning tokens, which count against max_completion_tokens, plus each document's answer. */
const REASONING_TOKENS = 1_500;
const ANSWER_TOKENS_PER_DOCUMENT = 900;
const MAX_COMPLETION_TOKENS = 16_384;

/** Models that accept `response_format: json_schema` with `strict: true` on Groq. */
const supportsStrictSchema = (model: string) => model.startsWith('openai/gpt-oss');
const isReasoningModel = (model: string) => model.startsWith('openai/gpt-oss') || model.startsWith('qwen/');

/** Analyses a batch of papers in one Groq chat completion whose JSON answer holds one item per paper id. */
export class GroqPaperAnalyzer implements PaperAnalyzer {
  private readonly client: Groq;
  private readonly model: string;

  constructor(config: AppConfig['llm']['groq']) {
    this.model = config.model;
    // Retries are the batch processor's, so that rate limits and accounting see every call.
    this.client = new Groq({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: config.timeoutMs });
  }

  async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    let completion;
    try {
      completion = await this.client.chat.completions.create(this.request(documents));
    } catch (error) {
      throw mapGroqError(error, this.model);
    }
    return {
      outcomes: this.readOutcomes(documents, completion.choices[0]?.message?.content ?? ''),
      usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
    };
  }

  private request(documents: readonly PaperDocument[]): ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.model,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: buildPapersMessage(documents) },
      ],
      temperature: 0.2,
      max_completion_tokens: Math.min(REASONING_TOKENS + ANSWER_TOKENS_PER_DOCUMENT * documents.length, MAX_COMPLETION_TOKENS),
      ...(isReasoningModel(this.model) && { reasoning_effort: 'low' as const }),
      response_format: supportsStrictSchema(this.model)
        ? { type: 'json_schema', json_schema: { name: 'paper_analyses', strict: true, schema: ANALYSIS_BATCH_SCHEMA } }
        : { type: 'json_object' },
    };
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
