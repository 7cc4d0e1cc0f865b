/**
 * Token counts with the o200k_base encoding (the GPT-4o / gpt-oss tokenizer), shared by the Groq client's
 * budget and the fake Groq server, so both sides count a request the same way.
 *
 * The `cjs/` subpath is both typed under this project's `moduleResolution: node` and mapped by the package's
 * `exports` to the CommonJS build that `require('gpt-tokenizer/encoding/o200k_base')` loads.
 */
import { countTokens as countO200kTokens } from 'gpt-tokenizer/cjs/encoding/o200k_base';

/**
 * Tokens that OpenAI-style chat formats add around every message: `<|start|>`, the separator after the role and
 * `<|end|>` (the "tokens_per_message = 3" of OpenAI's token-counting guide). The role itself is counted as text.
 */
export const CHAT_TOKENS_PER_MESSAGE = 3;

/** Tokens that prime the assistant's reply (`<|start|>assistant<|message|>`), added once per request. */
export const CHAT_TOKENS_PER_REPLY = 3;

/** Special-token markers in a paper (e.g. `<|endoftext|>`) are counted as plain text instead of throwing. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export interface ChatMessageText {
  role: string;
  content: string;
}

/** The number of o200k_base tokens in `text`. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return countO200kTokens(text, PLAIN_TEXT);
}

/** The prompt tokens of a chat request: every message's role and content plus the chat format's overhead. */
export function countChatTokens(messages: readonly ChatMessageText[]): number {
  let total = CHAT_TOKENS_PER_REPLY;
  for (const message of messages) {
    total += CHAT_TOKENS_PER_MESSAGE + countTokens(message.role) + countTokens(message.content);
  }
  return total;
}
