import { randomUUID } from 'node:crypto';

/** Bodies as Groq's OpenAI-compatible API writes them. */

export interface GroqErrorBody {
  error: { message: string; type: string; code?: string };
}

export interface CompletionUsage {
  queue_time: number;
  prompt_tokens: number;
  prompt_time: number;
  completion_tokens: number;
  completion_time: number;
  total_tokens: number;
  total_time: number;
}

export interface ChatCompletionBody {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string };
    logprobs: null;
    finish_reason: 'stop';
  }[];
  usage: CompletionUsage;
  system_fingerprint: string;
  x_groq: { id: string };
}

export function groqError(message: string, type: string, code?: string): GroqErrorBody {
  return { error: code === undefined ? { message, type } : { message, type, code } };
}

export const INVALID_API_KEY = groqError('Invalid API Key', 'invalid_request_error', 'invalid_api_key');
/** What Groq answers, with a 400, when a model's answer in JSON mode is not valid JSON. */
export const JSON_VALIDATE_FAILED = groqError(
  'Failed to generate JSON. Please adjust your prompt. See \'failed_generation\' for more details.',
  'invalid_request_error',
  'json_validate_failed',
);
export const SERVER_ERROR = groqError('Internal Server Error', 'internal_server_error', 'internal_server_error');
export const SERVICE_UNAVAILABLE = groqError(
  'Service Unavailable: the model is over capacity, please try again later',
  'internal_server_error',
  'service_unavailable',
);

export function badRequest(message: string): GroqErrorBody {
  return groqError(message, 'invalid_request_error');
}

export function notFound(path: string): GroqErrorBody {
  return groqError(`Unknown request URL: ${path}. Please check the URL for typos.`, 'invalid_request_error', 'unknown_url');
}

/** Groq's `req_...` ids: 26 lowercase base-32-ish characters. */
export function groqRequestId(): string {
  return `req_${randomUUID().replace(/-/g, '').slice(0, 26)}`;
}

/** Seconds the fake claims a step took, in the style of Groq's usage timings (throughput-based, not measured). */
function fakeSeconds(tokens: number, tokensPerSecond: number): number {
  return Number((tokens / tokensPerSecond).toFixed(6));
}

export function completionUsage(promptTokens: number, completionTokens: number): CompletionUsage {
  const promptTime = fakeSeconds(promptTokens, 20_000);
  const completionTime = fakeSeconds(completionTokens, 500);
  return {
    queue_time: 0.0002,
    prompt_tokens: promptTokens,
    prompt_time: promptTime,
    completion_tokens: completionTokens,
    completion_time: completionTime,
    total_tokens: promptTokens + completionTokens,
    total_time: Number((promptTime + completionTime).toFixed(6)),
  };
}

export function chatCompletion(
  model: string,
  content: string,
  usage: CompletionUsage,
  requestId: string,
): ChatCompletionBody {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage,
    system_fingerprint: 'fp_fake',
    x_groq: { id: requestId },
  };
}
