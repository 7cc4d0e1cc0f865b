/** Every key this service writes starts with this prefix, so one Redis can serve several apps. */
export const KEY_PREFIX = 'rpa';

/** Bull's keys (`rpa:bull:<queue>:<job id>`) stay apart from ours, since job ids are request ids. */
export const BULL_PREFIX = `${KEY_PREFIX}:bull`;

export const redisKeys = {
  request: (requestId: string) => `${KEY_PREFIX}:request:${requestId}`,
  paper: (contentKey: string) => `${KEY_PREFIX}:paper:${contentKey}`,
  result: (contentKey: string) => `${KEY_PREFIX}:result:${contentKey}`,
  /** The analysis of one part of a paper too long for one call (the part's own content key). */
  partAnalysis: (contentKey: string) => `${KEY_PREFIX}:part-analysis:${contentKey}`,
  /** Held by the worker process analysing this content, so others wait for its result instead of asking again. */
  analysing: (contentKey: string) => `${KEY_PREFIX}:analysing:${contentKey}`,
  stats: `${KEY_PREFIX}:stats`,
  /** Requests in jobs no worker has started yet. */
  waitingRequests: `${KEY_PREFIX}:queue:waiting-requests`,
  workers: `${KEY_PREFIX}:workers`,
  /** One counter per client and kind of route, so both polling routes share a client's polling budget. */
  throttle: (kind: string, tracker: string) => `${KEY_PREFIX}:throttle:${kind}:${tracker}`,
};
