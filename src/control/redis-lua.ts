/**
 * Lua scripts for the atomic compare-and-… commands of the Redis control plane. Each touches
 * one key (KEYS[1]), so they are cluster-safe.
 */

/** ARGV: expectAbsent ('1'|'0'), expected, next, ttlMs ('' = none). Returns 1 when swapped. */
export const LUA_CAS = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`

/** ARGV: expected. Returns 1 when deleted. */
export const LUA_COMPARE_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

/** ARGV: expected, ttlMs. Returns 1 when the TTL was set. */
export const LUA_COMPARE_EXPIRE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`
