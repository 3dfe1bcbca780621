import { HEAD_FIELDS, headFields, replyArray, script, type HeadFields, type ScriptCall } from './lua-script.js';

/**
 * Head and the last ARGV[1] entries (none below firstSeq) in one consistent read. KEYS: head, log.
 * Reply: {} (missing) | {the 8 HEAD_FIELDS values, json… (ascending)} | {'corrupt',
 * rev, found} when the stream lacks entries the head counts (e.g. evicted).
 */
const READ_TAIL = script(
  'read-tail',
  `local h = redis.call('HMGET', KEYS[1], ${HEAD_FIELDS})
if not h[1] then return {} end
local out = {h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]}
local rev = tonumber(h[1])
local n = math.min(tonumber(ARGV[1]), rev - tonumber(h[6] or '0'))
if n > 0 then
  local rows = redis.call('XREVRANGE', KEYS[2], '0-' .. rev, '0-' .. (rev - n + 1), 'COUNT', n)
  if #rows ~= n then return {'corrupt', rev, #rows} end
  for i = #rows, 1, -1 do out[#out + 1] = rows[i][2][4] end
end
return out`,
);

/** The read-tail script's run: the head and the last `limit` entries. */
export function readTailCall(head: string, log: string, limit: number): ScriptCall {
  return { script: READ_TAIL, keys: [head, log], args: [String(limit)] };
}

/** The read-tail script's answer; `entries` are entry JSONs, ascending. */
export type ReadTailReply =
  | { status: 'missing' }
  | { status: 'corrupt'; rev: unknown; found: unknown }
  | { status: 'ok'; head: HeadFields; entries: unknown[] };

/** Reads the read-tail script's reply. */
export function parseReadTailReply(reply: unknown): ReadTailReply {
  const rows = replyArray(reply, 'read-tail');
  if (rows.length === 0) return { status: 'missing' };
  if (rows[0] === 'corrupt') return { status: 'corrupt', rev: rows[1], found: rows[2] };
  return { status: 'ok', head: headFields(rows, 0), entries: rows.slice(8) };
}
