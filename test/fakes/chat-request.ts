import { ChatMessageText } from '../../src/llm/token-counter';

/** The parts of a chat-completions request body the fake reads, checked. */
export interface ChatRequest {
  model: string;
  messages: ChatMessageText[];
  /** `max_completion_tokens`, or the deprecated `max_tokens`, if the client set one. */
  maxCompletionTokens?: number;
}

const RESPONSE_FORMAT_TYPES = ['text', 'json_object', 'json_schema'];

export class ChatRequestError extends Error {}

/**
 * The request in `raw` (the HTTP body), or a ChatRequestError with a message in the spirit of Groq's 400s.
 * Multi-part message content keeps its text parts only.
 */
export function parseChatRequest(raw: string): ChatRequest {
  const body = parseJsonObject(raw);
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw new ChatRequestError("'model' : property 'model' is missing or not a string");
  }
  if (body.stream === true) throw new ChatRequestError('stream: the fake Groq server does not stream');
  checkResponseFormat(body.response_format);
  checkReasoningEffort(body.model, body.reasoning_effort);
  return {
    model: body.model,
    messages: parseMessages(body.messages),
    maxCompletionTokens: parseMaxTokens(body.max_completion_tokens ?? body.max_tokens),
  };
}

/** The text of the last message with role `user`, or '' if there is none. */
export function lastUserMessage(messages: readonly ChatMessageText[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index].role === 'user') return messages[index].content;
  }
  return '';
}

function parseJsonObject(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ChatRequestError('failed to parse the request body as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ChatRequestError('the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function parseMessages(value: unknown): ChatMessageText[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ChatRequestError("'messages' : property 'messages' is missing or empty");
  }
  return value.map((message, index) => parseMessage(message, index));
}

function parseMessage(value: unknown, index: number): ChatMessageText {
  const message = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof message.role !== 'string') {
    throw new ChatRequestError(`'messages.${index}.role' : property 'role' is missing`);
  }
  return { role: message.role, content: messageText(message.content, index) };
}

function messageText(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (isTextPart(part) ? part.text : ''))
      .join('');
  }
  throw new ChatRequestError(`'messages.${index}.content' : must be a string or an array of parts`);
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  const record = part as { type?: unknown; text?: unknown } | null;
  return typeof record === 'object' && record !== null && record.type === 'text' && typeof record.text === 'string';
}

function checkResponseFormat(value: unknown): void {
  if (value === undefined || value === null) return;
  const format = value as { type?: unknown; json_schema?: unknown };
  if (typeof format !== 'object' || !RESPONSE_FORMAT_TYPES.includes(format.type as string)) {
    throw new ChatRequestError(`'response_format.type' : value must be one of ${RESPONSE_FORMAT_TYPES.join(', ')}`);
  }
  if (format.type === 'json_schema' && (typeof format.json_schema !== 'object' || format.json_schema === null)) {
    throw new ChatRequestError("'response_format.json_schema' : property 'json_schema' is missing");
  }
}

function parseMaxTokens(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ChatRequestError("'max_completion_tokens' : value must be a whole number >= 1");
  }
  return value;
}

/** The reasoning efforts each model family takes, as Groq documents them; other models take none. */
function reasoningEffortsOf(model: string): readonly string[] {
  if (model.startsWith('openai/gpt-oss')) return ['low', 'medium', 'high'];
  if (model.startsWith('qwen/qwen3.8')) return ['none', 'default', 'low', 'medium', 'high'];
  if (model.startsWith('qwen/qwen3')) return ['none', 'default'];
  return [];
}

function checkReasoningEffort(model: string, effort: unknown): void {
  if (effort === undefined || effort === null) return;
  const accepted = reasoningEffortsOf(model);
  if (accepted.length === 0) throw new ChatRequestError(`reasoning_effort is not supported with this model`);
  if (typeof effort !== 'string' || !accepted.includes(effort)) {
    throw new ChatRequestError(`reasoning_effort must be one of ${accepted.join(' or ')}`);
  }
}
