/**
 * GET /status and GET /metrics share one cached copy of the service's statistics, for about a second:
 * reading them costs several Redis calls, and neither route may turn a flood of requests into a flood of those.
 */
export const SERVICE_STATUS_CACHE = { key: 'service-status', ttlMs: 1_000 } as const;
