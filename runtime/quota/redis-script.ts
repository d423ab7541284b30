/**
 * The quota Lua script: the arithmetic of sliding-window.ts, run atomically inside Redis so that
 * every replica spends one budget and concurrent admissions can never both take the last slot.
 * One key per quota key (a hash: w = window index, rc/rp = requests current/previous, tc/tp = tokens
 * current/previous, g = generation) so the script touches a single declared key (Redis Cluster safe
 * with the `{…}` hash tag the limiter adds). The generation is a token set when the key is created
 * (or first written by this script version) and kept across window rollovers: a key lost meanwhile
 * (FLUSHALL, a restart without persistence, an operator's DEL) comes back with another one, so a
 * settle of a reservation counted in the lost key cannot release or charge counts made since. Time
 * comes from the Redis server (`TIME`), never from the replicas, whose clocks may disagree.
 *
 * ARGV[1] = 'admit':  ARGV[2] window ms, ARGV[3] request limit (-1 = none), ARGV[4] token limit
 *                     (-1 = none), ARGV[5] tokens, ARGV[6] deadline in server ms (-1 = none),
 *                     ARGV[7] generation for the key if it has none yet (random, from the caller)
 *                     → {1, window, now, generation} or {0, exceeded (1 requests, 2 tokens), retryAfterMs, now},
 *                     or {2, now} when run after the deadline: the caller has given up on it (its
 *                     timeout fired), so it must count nothing — a late admit would otherwise hold a
 *                     reservation nobody settles
 * ARGV[1] = 'settle': ARGV[2] window ms, ARGV[3] reservation window, ARGV[4] token delta, ARGV[5]
 *                     the reservation's generation → 1 when applied, 0 when the reservation no
 *                     longer weighs on admissions, -1 when it would but its key was lost since the
 *                     admit (gone, or another generation): nothing is applied
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
 */
export const QUOTA_SCRIPT = `
local key = KEYS[1]
local windowMs = tonumber(ARGV[2])
local epsilon = 1e-9
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = math.floor(now / windowMs)
local elapsed = now - window * windowMs
local state = redis.call('HMGET', key, 'w', 'rc', 'rp', 'tc', 'tp', 'g')
local stored = tonumber(state[1])
local rc = tonumber(state[2]) or 0
local rp = tonumber(state[3]) or 0
local tc = tonumber(state[4]) or 0
local tp = tonumber(state[5]) or 0
local generation = state[6]
if stored ~= nil and stored < window then
  if stored == window - 1 then rp = rc; tp = tc else rp = 0; tp = 0 end
  rc = 0; tc = 0
elseif stored ~= nil and stored > window then
  -- The server clock stepped back: stay in the stored window, counting all of the previous one.
  window = stored
  elapsed = 0
end

local function estimate(current, previous)
  return previous * (1 - elapsed / windowMs) + current
end

local function fits(current, previous, cost, limit)
  return cost <= limit and estimate(current, previous) + cost <= limit + epsilon
end

local function wait(current, previous, cost, limit)
  if cost > limit then return windowMs end
  local ms
  if current + cost <= limit then
    if previous <= 0 then ms = 0 else ms = (1 - (limit - cost - current) / previous) * windowMs - elapsed end
  else
    ms = windowMs - elapsed
    if current > 0 then ms = ms + (1 - (limit - cost) / current) * windowMs end
  end
  return math.max(1, math.ceil(ms - epsilon * windowMs))
end

local function save()
  redis.call('HSET', key, 'w', window, 'rc', rc, 'rp', rp, 'tc', tc, 'tp', tp, 'g', generation)
  redis.call('PEXPIRE', key, 2 * windowMs)
end

if ARGV[1] == 'admit' then
  local deadline = tonumber(ARGV[6]) or -1
  if deadline >= 0 and now > deadline then return {2, now} end
  local requestLimit = tonumber(ARGV[3])
  local tokenLimit = tonumber(ARGV[4])
  local tokens = tonumber(ARGV[5])
  local requestsFit = requestLimit < 0 or fits(rc, rp, 1, requestLimit)
  local tokensFit = tokenLimit < 0 or fits(tc, tp, tokens, tokenLimit)
  if not requestsFit or not tokensFit then
    local requestWait = 0
    local tokenWait = 0
    if not requestsFit then requestWait = wait(rc, rp, 1, requestLimit) end
    if not tokensFit then tokenWait = wait(tc, tp, tokens, tokenLimit) end
    local exceeded = 2
    if not requestsFit then exceeded = 1 end
    return {0, exceeded, math.max(requestWait, tokenWait), now}
  end
  if not generation then generation = ARGV[7] end
  rc = rc + 1
  tc = tc + tokens
  save()
  return {1, window, now, generation}
end

if ARGV[1] == 'settle' then
  local reserved = tonumber(ARGV[3])
  local delta = tonumber(ARGV[4])
  if reserved ~= window and reserved ~= window - 1 then return 0 end
  -- The key lives two windows past its last write, so within them a missing key was lost too.
  if stored == nil or generation ~= ARGV[5] then return -1 end
  if reserved == window then tc = math.max(0, tc + delta) else tp = math.max(0, tp + delta) end
  save()
  return 1
end

return redis.error_reply('aigw quota script: unknown mode ' .. tostring(ARGV[1]))
`;
