/**
 * The completion budget of one call (`max_completion_tokens`): room for a reasoning model's thinking, which
 * counts against it, and for each paper's answer (about 350 tokens for the fields the prompt asks for, with
 * margin). The provider counts the whole budget against the key's tokens per minute whatever the answer's
 * length, so it is kept close; an answer cut short fails its items, which are then asked again alone.
 */
const REASONING_TOKENS = 1_000;
const ANSWER_TOKENS_PER_PAPER = 500;
const MAX_COMPLETION_TOKENS = 16_384;

export function completionTokensFor(papers: number): number {
  return Math.min(REASONING_TOKENS + ANSWER_TOKENS_PER_PAPER * papers, MAX_COMPLETION_TOKENS);
}
