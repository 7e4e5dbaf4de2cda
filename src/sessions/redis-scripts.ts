/**
 * Lua scripts of the RedisSessionStore. Each multi-key change is one script, so it is atomic and one round trip.
 * The clock is Redis's own TIME, so API processes and workers on different machines agree on expiry.
 *
 * Key layout (P = key prefix, e.g. "agentgraph:"):
 *   P session:{id}   hash, one field per document field, each value JSON-encoded
 *   P expiry         sorted set, id -> expires_at (the index cleanup and stats use; no KEYS scans)
 *   P ip:{ip}        sorted set, id -> expires_at (live sessions of one client IP)
 *   P ips            set of client IPs that hold sessions
 *   P size_bytes     integer, sum of size_bytes over stored sessions
 * Scripts build `P ip:{ip}` and `P session:{id}` names themselves from ARGV, which standalone Redis allows
 * (Redis Cluster would not; we do not target it).
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
`;

/** Removes one session's hash, index entries and size; returns its client IP ('' when the hash was gone). */
const REMOVE_SESSION = `
local function remove_session(prefix, id)
  local hash = prefix .. 'session:' .. id
  local ipj = redis.call('HGET', hash, 'client_ip')
  local size = tonumber(redis.call('HGET', hash, 'size_bytes') or '0') or 0
  redis.call('ZREM', prefix .. 'expiry', id)
  if not ipj then return '' end
  local ip = cjson.decode(ipj)
  if size ~= 0 then redis.call('DECRBY', prefix .. 'size_bytes', size) end
  redis.call('DEL', hash)
  local ipkey = prefix .. 'ip:' .. ip
  redis.call('ZREM', ipkey, id)
  if redis.call('ZCARD', ipkey) == 0 then redis.call('SREM', prefix .. 'ips', ip) end
  return ip
end
`;

/**
 * create
 * KEYS: 1 session hash, 2 expiry zset, 3 ip zset, 4 ips set
 * ARGV: 1 id, 2 ttl seconds, 3 max sessions per IP, 4 client ip, 5 key safety TTL seconds, 6.. field, value pairs
 * Returns: the creation time as a string; 0 when the IP is at its limit; -1 when the id exists.
 */
export const CREATE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local nows = string.format('%.6f', now)
local exps = string.format('%.6f', now + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'created_at', nows, 'last_seen', nows, 'expires_at', exps, unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], exps, ARGV[1])
redis.call('ZADD', KEYS[3], exps, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[4])
return nows
`;

/**
 * read (touch or peek)
 * KEYS: 1 session hash, 2 expiry zset
 * ARGV: 1 id, 2 ttl seconds (0 = peek, do not renew), 3 prefix, 4 key safety TTL seconds
 * Returns: HGETALL of the live session, or nil when missing or expired.
 */
export const READ = `${NOW}
local exp = redis.call('HGET', KEYS[1], 'expires_at')
if not exp or tonumber(exp) <= now then return nil end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  local nows = string.format('%.6f', now)
  local exps = string.format('%.6f', now + ttl)
  redis.call('HSET', KEYS[1], 'last_seen', nows, 'expires_at', exps)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('ZADD', KEYS[2], exps, ARGV[1])
  local ip = cjson.decode(redis.call('HGET', KEYS[1], 'client_ip'))
  redis.call('ZADD', ARGV[3] .. 'ip:' .. ip, exps, ARGV[1])
end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * update
 * KEYS: 1 session hash, 2 size_bytes counter
 * ARGV: 1 comma-separated versioned fields, 2 number of set pairs N, then N field/value pairs (JSON-encoded),
 *       then the number of increments M, then M field/amount pairs
 * Returns: HGETALL after the change, or nil when missing or expired.
 * A field set to its current encoding is left alone, so re-setting a value never bumps the version. Incrementing
 * size_bytes also moves the size counter and session_size_mb.
 */
export const UPDATE = `${NOW}
local exp = redis.call('HGET', KEYS[1], 'expires_at')
if not exp or tonumber(exp) <= now then return nil end
local versioned = {}
for name in string.gmatch(ARGV[1], '[^,]+') do versioned[name] = true end
local bump = false
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  local field, value = ARGV[i], ARGV[i + 1]
  i = i + 2
  local old = redis.call('HGET', KEYS[1], field)
  if old ~= value then
    redis.call('HSET', KEYS[1], field, value)
    if versioned[field] then bump = true end
    if field == 'size_bytes' then
      redis.call('INCRBY', KEYS[2], (tonumber(value) or 0) - (tonumber(old or '0') or 0))
    end
  end
end
local m = tonumber(ARGV[i])
i = i + 1
for _ = 1, m do
  local size = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i] == 'size_bytes' then
    redis.call('INCRBY', KEYS[2], ARGV[i + 1])
    -- session_size_mb follows size_bytes (MiB, 3 decimals), as the local store computes it
    redis.call('HSET', KEYS[1], 'session_size_mb', tostring(math.floor(size / 1048.576 + 0.5) / 1000))
  end
  i = i + 2
end
if bump then redis.call('HINCRBY', KEYS[1], 'version', 1) end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * delete
 * ARGV: 1 prefix, 2 id
 * Returns: the client IP of the removed session ('' when only an index entry was left), or nil when unknown.
 */
export const DELETE = `${REMOVE_SESSION}
local prefix, id = ARGV[1], ARGV[2]
if redis.call('EXISTS', prefix .. 'session:' .. id) == 0 and not redis.call('ZSCORE', prefix .. 'expiry', id) then
  return nil
end
return remove_session(prefix, id)
`;

/**
 * claimExpired
 * KEYS: 1 expiry zset
 * ARGV: 1 prefix, 2 limit
 * Returns: a flat list id1, ip1, id2, ip2, … of the sessions removed. Only entries whose expiry has passed by the
 * script's clock are taken, so a session renewed a moment ago stays.
 */
export const CLAIM_EXPIRED = `${NOW}${REMOVE_SESSION}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local ip = remove_session(ARGV[1], id)
  out[#out + 1] = id
  out[#out + 1] = ip
end
return out
`;

/**
 * stats
 * KEYS: 1 expiry zset, 2 size counter, 3 ips set
 * ARGV: 1 prefix, 2 max IPs to report
 * Returns: { active, size_bytes, ip1, n1, ip2, n2, … }. Work is proportional to the number of client IPs, not of
 * sessions; IPs left with no live session are dropped from the set on the way.
 */
export const STATS = `${NOW}
local active = redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
local size = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local out = { active, size }
local reported = 0
for _, ip in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local ipkey = ARGV[1] .. 'ip:' .. ip
  local n = redis.call('ZCOUNT', ipkey, '(' .. now, '+inf')
  if n == 0 and redis.call('ZCARD', ipkey) == 0 then
    redis.call('SREM', KEYS[3], ip)
  elseif n > 0 and reported < tonumber(ARGV[2]) then
    out[#out + 1] = ip
    out[#out + 1] = n
    reported = reported + 1
  end
end
return out
`;

/**
 * releaseLock
 * KEYS: 1 lock key; ARGV: 1 token. Deletes the lock only if we still own it.
 */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
