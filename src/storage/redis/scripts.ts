import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The append, mirroring src/domain/append.ts (checkExpectedRev + isReplayOf) in one atomic step.
 * KEYS: head, log, [thread index]. ARGV: 1 expectedRev ('' = none), 2 idsFromCaller ('1'/'0'),
 * 3 metadata JSON, 4 now, 5 PUBLISH|SPUBLISH, 6 channel, 7 message prefix (rev and `}` follow),
 * 8 index member, 9 index mode ('key': ZADD KEYS[3] on create; 'ask': reply {'index'} before a
 * create; 'done': the caller already indexed it), 10 the life a create gives the thread,
 * 11.. pairs of (entry id, entry JSON).
 * Replies: {'ok', rev, meta, createdAt, updatedAt, life} | {'replay', rev, meta, createdAt,
 * updatedAt, life, json…} | {'conflict', rev} | {'index'}. Entry seq s is stream id `0-(s+1)`;
 * life is nil for a head stored before lives existed.
 */
export const APPEND = script(
  'append',
  `local h = redis.call('HMGET', KEYS[1], 'rev', 'meta', 'ca', 'ua', 'life')
local rev = tonumber(h[1] or '0')
local n = (#ARGV - 10) / 2
if ARGV[1] ~= '' then
  local expected = tonumber(ARGV[1])
  if expected ~= rev then
    if ARGV[2] == '1' and expected + n <= rev then
      local stored = redis.call('XRANGE', KEYS[2], '0-' .. (expected + 1), '0-' .. (expected + n))
      local same = #stored == n
      if same then
        for i = 1, n do
          if stored[i][2][2] ~= ARGV[9 + 2 * i] then
            same = false
            break
          end
        end
      end
      if same then
        local out = {'replay', rev, h[2], h[3], h[4], h[5] or false}
        for i = 1, n do out[#out + 1] = stored[i][2][4] end
        return out
      end
    end
    return {'conflict', rev}
  end
end
local newRev = rev + n
if rev == 0 then
  if ARGV[9] == 'ask' then return {'index'} end
  if ARGV[9] == 'key' then redis.call('ZADD', KEYS[3], 0, ARGV[8]) end
  redis.call('DEL', KEYS[2])
  h[2] = ARGV[3]
  h[3] = ARGV[4]
  h[5] = ARGV[10]
  redis.call('HSET', KEYS[1], 'rev', newRev, 'ua', ARGV[4], 'meta', h[2], 'ca', h[3], 'life', h[5])
else
  redis.call('HSET', KEYS[1], 'rev', newRev, 'ua', ARGV[4])
end
for i = 1, n do
  redis.call('XADD', KEYS[2], '0-' .. (rev + i), 'i', ARGV[9 + 2 * i], 'd', ARGV[10 + 2 * i])
end
redis.call(ARGV[5], ARGV[6], ARGV[7] .. newRev .. '}')
return {'ok', newRev, h[2], h[3], ARGV[4], h[5] or false}`,
);

/**
 * Head and the last ARGV[1] entries in one consistent read. KEYS: head, log.
 * Reply: {} (missing) | {rev, meta, createdAt, updatedAt, life, json… (ascending)} | {'corrupt',
 * rev, found} when the stream lacks entries the head counts (e.g. evicted).
 */
export const READ_TAIL = script(
  'read-tail',
  `local h = redis.call('HMGET', KEYS[1], 'rev', 'meta', 'ca', 'ua', 'life')
if not h[1] then return {} end
local out = {h[1], h[2], h[3], h[4], h[5] or false}
local rev = tonumber(h[1])
local n = math.min(tonumber(ARGV[1]), rev)
if n > 0 then
  local rows = redis.call('XREVRANGE', KEYS[2], '0-' .. rev, '0-' .. (rev - n + 1), 'COUNT', n)
  if #rows ~= n then return {'corrupt', rev, #rows} end
  for i = #rows, 1, -1 do out[#out + 1] = rows[i][2][4] end
end
return out`,
);

/**
 * Entries with seq ≥ ARGV[1], at most ARGV[2] (> 0), up to the head's rev. KEYS: head, log.
 * Reply: {streamId, json, …} | {'corrupt', rev, found} when the stream lacks entries the head
 * counts (e.g. evicted).
 */
export const READ_RANGE = script(
  'read-range',
  `local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
local from = tonumber(ARGV[1])
local n = math.min(tonumber(ARGV[2]), rev - from)
if n <= 0 then return {} end
local rows = redis.call('XRANGE', KEYS[2], '0-' .. (from + 1), '0-' .. (from + n), 'COUNT', n)
if #rows ~= n then return {'corrupt', rev, #rows} end
local out = {}
for i = 1, #rows do
  out[#out + 1] = rows[i][1]
  out[#out + 1] = rows[i][2][4]
end
return out`,
);

/**
 * Thread delete. KEYS: head, log, [thread index]. ARGV: 1 index member, 2 PUBLISH|SPUBLISH,
 * 3 channel, 4 message. Reply: 1 deleted, 0 missing.
 */
export const DELETE_THREAD = script(
  'delete-thread',
  `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
if KEYS[3] then redis.call('ZREM', KEYS[3], ARGV[1]) end
redis.call(ARGV[2], ARGV[3], ARGV[4])
return 1`,
);

/**
 * Checkpoint CAS + pointer check + write + index + notify, mirroring src/domain/checkpoint.ts
 * (checkCheckpointRev, checkThreadPointer; the replay rule itself runs in the caller on the
 * stored checkpoint this script returns with a conflict, as a replay writes nothing).
 * KEYS: checkpoints hash, checkpoint index, [thread head: read the pointer's thread here].
 * ARGV: 1 member, 2 expectedRev ('' = none), 3 pointer rev ('' = none), 4 thread rev and
 * 5 thread life observed by the caller (used without KEYS[3]), 6 the life the caller's pointer
 * names ('' = any), 7 body head, 8 body tail (with a pointer the thread's life, as JSON, goes
 * between them), 9 now, 10 PUBLISH|SPUBLISH, 11 channel, 12 message prefix (rev and `}` follow).
 * Hash fields: `h:<member>` = "rev|createdAt|updatedAt", `b:<member>` = body JSON.
 * Replies: {'ok', rev, createdAt, life} | {'conflict', rev, [meta, body when rev = expectedRev + 1]}
 * | {'pointer', threadRev, ['life' when the thread is another life]}. A head without a life
 * field (stored before lives existed) has the life `'legacy-' .. createdAt`, as
 * src/domain/thread-life.ts derives it.
 */
export const PUT_CHECKPOINT = script(
  'put-checkpoint',
  `local meta = redis.call('HGET', KEYS[1], 'h:' .. ARGV[1])
local rev, created = 0, ARGV[9]
if meta then
  local r, c = string.match(meta, '^(%d+)|([^|]*)|')
  rev = tonumber(r)
  created = c
end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= rev then
  if tonumber(ARGV[2]) + 1 == rev then return {'conflict', rev, meta, redis.call('HGET', KEYS[1], 'b:' .. ARGV[1])} end
  return {'conflict', rev}
end
local body = ARGV[7]
local life = false
if ARGV[3] ~= '' then
  local threadRev
  if KEYS[3] then
    local t = redis.call('HMGET', KEYS[3], 'rev', 'life', 'ca')
    threadRev = tonumber(t[1] or '0')
    if t[1] then life = t[2] or ('legacy-' .. t[3]) end
  else
    threadRev = tonumber(ARGV[4])
    life = ARGV[5]
  end
  if threadRev < tonumber(ARGV[3]) then return {'pointer', threadRev} end
  if ARGV[6] ~= '' and ARGV[6] ~= life then return {'pointer', threadRev, 'life'} end
  body = ARGV[7] .. cjson.encode(life) .. ARGV[8]
end
rev = rev + 1
redis.call('HSET', KEYS[1], 'h:' .. ARGV[1], rev .. '|' .. created .. '|' .. ARGV[9], 'b:' .. ARGV[1], body)
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call(ARGV[10], ARGV[11], ARGV[12] .. rev .. '}')
return {'ok', rev, created, life}`,
);

/**
 * Checkpoint delete. KEYS: checkpoints hash, checkpoint index. ARGV: 1 member,
 * 2 PUBLISH|SPUBLISH, 3 channel, 4 message. Reply: 1 deleted, 0 missing.
 */
export const DELETE_CHECKPOINT = script(
  'delete-checkpoint',
  `local n = redis.call('HDEL', KEYS[1], 'h:' .. ARGV[1], 'b:' .. ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if n > 0 then
  redis.call(ARGV[2], ARGV[3], ARGV[4])
  return 1
end
return 0`,
);

/**
 * One page of checkpoints in one consistent read. KEYS: checkpoints hash, checkpoint index.
 * ARGV: lex min, lex max, count. Reply: {member, meta, body, …}.
 */
export const LIST_CHECKPOINTS = script(
  'list-checkpoints',
  `local members = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #members do
  local m = members[i]
  local v = redis.call('HMGET', KEYS[1], 'h:' .. m, 'b:' .. m)
  out[#out + 1] = m
  out[#out + 1] = v[1] or ''
  out[#out + 1] = v[2] or ''
end
return out`,
);
