import { replyArray, script, type ScriptCall } from './lua-script.js';

/**
 * One page of checkpoints in one consistent read. KEYS: checkpoints hash, checkpoint index.
 * ARGV: lex min, lex max, count. Reply: {member, meta, body, …}.
 */
const LIST_CHECKPOINTS = script(
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

/** The list-checkpoints script's run: at most `count` members in the lex range min..max. */
export function listCheckpointsCall(checkpoints: string, index: string, range: { min: string; max: string; count: number }): ScriptCall {
  return { script: LIST_CHECKPOINTS, keys: [checkpoints, index], args: [range.min, range.max, String(range.count)] };
}

/** One listed checkpoint as stored: its index member, meta and body. */
export interface ListedCheckpoint {
  member: string;
  meta: unknown;
  body: unknown;
}

/** Reads the list-checkpoints script's reply. */
export function parseListCheckpointsReply(reply: unknown): ListedCheckpoint[] {
  const flat = replyArray(reply, 'list-checkpoints');
  const rows: ListedCheckpoint[] = [];
  for (let i = 0; i < flat.length; i += 3) rows.push({ member: String(flat[i]), meta: flat[i + 1], body: flat[i + 2] });
  return rows;
}
