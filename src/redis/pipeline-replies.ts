import type { ChainableCommander } from 'ioredis';

/**
 * Runs `pipeline` and returns its replies in order. ioredis resolves a pipeline whose commands failed
 * (connection lost, wrong type) with `[error]` entries rather than rejecting: here the first one fails the whole.
 */
export async function repliesOf(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  const failure = replies.find(([error]) => error)?.[0];
  if (failure) throw failure;
  return replies.map(([, reply]) => reply);
}
