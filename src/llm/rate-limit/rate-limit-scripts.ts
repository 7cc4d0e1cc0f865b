/**
 * The Lua scripts behind the shared rate limiter; each runs atomically in Redis, on Redis's clock.
 *
 * KEYS, the same for both scripts: three sliding windows, each a sorted set and its total, then the pause and
 * the limits the provider reported:
 *   1, 2  requests in the last minute    3, 4  tokens in the last minute    5, 6  requests in the last day
 *   7     paused-until (ms epoch)       8     hash of the limits its headers report (tokensPerMinute, requestsPerDay)
 *   9     the requests-per-minute limit a 429 named, kept for an hour (no header reports it, so nothing refreshes it)
 * A window's members are `<id>:<amount>` scored by when they stop counting, so a window holds calls and also
 * usage the provider reported beyond ours, which stops counting when the provider said its usage resets.
 */
const WINDOWS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function amount_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end

-- Forgets what stopped counting and returns what the window still holds.
local function held(window, total)
  if redis.call('EXISTS', window) == 0 then
    redis.call('DEL', total)
    return 0
  end
  local amount = tonumber(redis.call('GET', total) or '0')
  local expired = redis.call('ZRANGEBYSCORE', window, '-inf', now)
  if #expired > 0 then
    for _, member in ipairs(expired) do amount = amount - amount_of(member) end
    redis.call('ZREMRANGEBYSCORE', window, '-inf', now)
    redis.call('SET', total, amount, 'KEEPTTL')
  end
  return amount
end

-- A member already held is not counted again: a script run twice (sent again after a lost reply) adds it once.
local function add(window, total, member, until_at)
  if redis.call('ZADD', window, until_at, member) == 1 then redis.call('INCRBY', total, amount_of(member)) end
  local last = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')[2]
  redis.call('PEXPIREAT', window, last)
  redis.call('PEXPIREAT', total, last)
end

-- Removes member if the window still holds it; returns the amount it held.
local function remove(window, total, member)
  if redis.call('ZREM', window, member) == 0 then return 0 end
  redis.call('DECRBY', total, amount_of(member))
  return amount_of(member)
end
`;

/**
 * Reserves one request and ARGV[2] tokens (capped at the tokens-per-minute limit, so that a call larger than the
 * limit still goes once the minute is empty and the provider says what is wrong) in every window, if they fit
 * and no pause is in force. ARGV: id, tokens, requests/min, tokens/min, requests/day (configured), then how long
 * a call in flight holds its place in the minute and day windows (ms). Answers {1, tokens reserved} or
 * {0, ms to wait before trying again}.
 */
export const RESERVE_SCRIPT = `${WINDOWS}
local paused_until = tonumber(redis.call('GET', KEYS[7]) or '0')
if paused_until > now then return {0, paused_until - now} end

local reported = redis.call('HMGET', KEYS[8], 'tokensPerMinute', 'requestsPerDay')
local requests_per_minute = math.min(tonumber(ARGV[3]), tonumber(redis.call('GET', KEYS[9])) or math.huge)
local tokens_per_minute = math.min(tonumber(ARGV[4]), tonumber(reported[1]) or math.huge)
local requests_per_day = math.min(tonumber(ARGV[5]), tonumber(reported[2]) or math.huge)
local tokens = math.min(tonumber(ARGV[2]), tokens_per_minute)

-- Milliseconds until amount more fits under limit: when enough of the oldest entries stop counting.
local function wait_for(window, total, amount, limit)
  local excess = held(window, total) + amount - limit
  if excess <= 0 then return 0 end
  local start = 0
  while true do
    local entries = redis.call('ZRANGE', window, start, start + 99, 'WITHSCORES')
    if #entries == 0 then return 1000 end
    for i = 1, #entries, 2 do
      excess = excess - amount_of(entries[i])
      if excess <= 0 then return tonumber(entries[i + 1]) - now end
    end
    start = start + 100
  end
end

local wait = math.max(
  wait_for(KEYS[1], KEYS[2], 1, requests_per_minute),
  wait_for(KEYS[3], KEYS[4], tokens, tokens_per_minute),
  wait_for(KEYS[5], KEYS[6], 1, requests_per_day))
if wait > 0 then return {0, wait} end

local id, minute, day = ARGV[1], tonumber(ARGV[6]), tonumber(ARGV[7])
add(KEYS[1], KEYS[2], id .. ':1', now + minute)
add(KEYS[3], KEYS[4], id .. ':' .. tokens, now + minute)
add(KEYS[5], KEYS[6], id .. ':1', now + day)
return {1, tokens}
`;

/**
 * Completes reservation ARGV[1] of ARGV[2] tokens. ARGV[3] says what became of the call: 'answered' (the provider
 * counted ARGV[4] tokens), 'failed' (counted as reserved) or 'refused' (a 429, which the provider does not count:
 * the reservation is let go). A counted call counts from now on for a minute and a day (ARGV[5], ARGV[6] ms): the
 * provider stamped it when it arrived, which was before this answer, however long the call took to get there.
 *
 * Then learns from the provider's report, ARGV[7..14] ('' when absent): tokens/min limit, remaining, reset ms;
 * requests/day limit, remaining, reset ms; retry-after ms; requests/min limit. The limits it reports cap ours;
 * usage it reports beyond what our windows hold counts until its reset; a retry-after pauses every process.
 */
export const COMPLETE_SCRIPT = `${WINDOWS}
local id, reserved, outcome = ARGV[1], ARGV[2], ARGV[3]
local minute, day = tonumber(ARGV[5]), tonumber(ARGV[6])
local tokens_held = held(KEYS[3], KEYS[4])
local day_held = held(KEYS[5], KEYS[6])

-- Replaces member by replacement, counting until until_at, if the window still holds it; returns the change.
local function restamp(window, total, member, replacement, until_at)
  local removed = remove(window, total, member)
  if removed == 0 then return 0 end
  add(window, total, replacement, until_at)
  return amount_of(replacement) - removed
end

if outcome == 'refused' then
  remove(KEYS[1], KEYS[2], id .. ':1')
  tokens_held = tokens_held - remove(KEYS[3], KEYS[4], id .. ':' .. reserved)
  day_held = day_held - remove(KEYS[5], KEYS[6], id .. ':1')
else
  local counted = outcome == 'answered' and ARGV[4] or reserved
  restamp(KEYS[1], KEYS[2], id .. ':1', id .. ':1', now + minute)
  tokens_held = tokens_held + restamp(KEYS[3], KEYS[4], id .. ':' .. reserved, id .. ':' .. counted, now + minute)
  restamp(KEYS[5], KEYS[6], id .. ':1', id .. ':1', now + day)
end

local function learn(window, total, ours, field, limit, remaining, reset_ms)
  if limit == nil then return end
  redis.call('HSET', KEYS[8], field, limit)
  redis.call('PEXPIRE', KEYS[8], 86400000)
  local beyond_ours = limit - remaining - ours
  if beyond_ours > 0 and reset_ms > 0 then add(window, total, 'reported:' .. id .. ':' .. beyond_ours, now + reset_ms) end
end
learn(KEYS[3], KEYS[4], tokens_held, 'tokensPerMinute', tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
learn(KEYS[5], KEYS[6], day_held, 'requestsPerDay', tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]))

local retry_after = tonumber(ARGV[13])
if retry_after and retry_after > 0 and now + retry_after > tonumber(redis.call('GET', KEYS[7]) or '0') then
  redis.call('SET', KEYS[7], now + retry_after, 'PX', retry_after)
end
if ARGV[14] ~= '' then redis.call('SET', KEYS[9], ARGV[14], 'PX', 3600000) end
return 1
`;
