import { replyArray, script, type ScriptCall } from './lua-script.js';

/**
 * Entries with seq ≥ max(ARGV[1], firstSeq), at most ARGV[2] (> 0), up to the head's rev. KEYS: head, log.
 * Reply: {streamId, json, …} | {'corrupt', rev, found} when the stream lacks entries the head
 * counts (e.g. evicted).
 */
const READ_RANGE = script(
  'read-range',
  `local h = redis.call('HMGET', KEYS[1], 'rev', 'fs')
local rev = tonumber(h[1] or '0')
local from = math.max(tonumber(ARGV[1]), tonumber(h[2] or '0'))
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

/** The read-range script's run: up to `limit` (> 0) entries from seq `fromSeq`. */
export function readRangeCall(head: string, log: string, fromSeq: number, limit: number): ScriptCall {
  return { script: READ_RANGE, keys: [head, log], args: [String(fromSeq), String(limit)] };
}

/** The read-range script's answer: (stream id, entry JSON) rows, ascending. */
export type ReadRangeReply =
  | { status: 'corrupt'; rev: unknown; found: unknown }
  | { status: 'ok'; rows: { streamId: unknown; json: unknown }[] };

/** Reads the read-range script's reply. */
export function parseReadRangeReply(reply: unknown): ReadRangeReply {
  const flat = replyArray(reply, 'read-range');
  if (flat[0] === 'corrupt') return { status: 'corrupt', rev: flat[1], found: flat[2] };
  const rows: { streamId: unknown; json: unknown }[] = [];
  for (let i = 0; i < flat.length; i += 2) rows.push({ streamId: flat[i], json: flat[i + 1] });
  return { status: 'ok', rows };
}
