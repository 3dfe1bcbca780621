import { HEAD_FIELDS, LUA_HELPERS, headFields, optionalRev, replyArray, script, type HeadFields, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * The append, mirroring src/domain/append.ts (checkExpectedRev + isReplayOf) and the maxEntries
 * rule of src/domain/retention.ts (maxEntriesTarget, bounded by the lowest registered pointer of
 * this life) in one atomic step.
 * KEYS: head, log, pointers, [thread index, retention index]. ARGV: 1 expectedRev ('' = none),
 * 2 idsFromCaller ('1'/'0'), 3 metadata JSON, 4 now, 5 PUBLISH|SPUBLISH, 6 channel, 7 message
 * prefix (rev and `}` follow), 8 index member, 9 index mode ('key': ZADD KEYS[4] (and KEYS[5]
 * with a policy) on create; 'ask': reply {'index'} before a create; 'done': the caller already
 * indexed it), 10 the life a create gives the thread, 11 startSeq (rev and firstSeq of a created
 * thread before this append), 12 maxEntries and 13 maxAgeSeconds of a created thread ('' = none),
 * 14 retention index member, 15.. pairs of (entry id, entry JSON).
 * Replies: {'ok', head…} | {'replay', head…, json…} | {'conflict', rev} | {'index'}, head being
 * the 8 HEAD_FIELDS values. Entry seq s is stream id `0-(s+1)`. A retry whose entries were
 * trimmed (expectedRev < firstSeq) is a conflict.
 */
export const APPEND = script(
  'append',
  `${LUA_HELPERS}local h = redis.call('HMGET', KEYS[1], ${HEAD_FIELDS})
local exists = h[1] ~= false
local rev = tonumber(h[1] or ARGV[11])
local fs = tonumber(h[6] or (exists and '0' or ARGV[11]))
local n = (#ARGV - 14) / 2
if ARGV[1] ~= '' then
  local expected = tonumber(ARGV[1])
  if expected ~= rev then
    if ARGV[2] == '1' and expected + n <= rev and expected >= fs then
      local stored = redis.call('XRANGE', KEYS[2], '0-' .. (expected + 1), '0-' .. (expected + n))
      local same = #stored == n
      if same then
        for i = 1, n do
          if stored[i][2][2] ~= ARGV[13 + 2 * i] then
            same = false
            break
          end
        end
      end
      if same then
        local out = {'replay', h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]}
        for i = 1, n do out[#out + 1] = stored[i][2][4] end
        return out
      end
    end
    return {'conflict', rev}
  end
end
local newRev = rev + n
if not exists then
  if ARGV[9] == 'ask' then return {'index'} end
  local policy = ARGV[12] ~= '' or ARGV[13] ~= ''
  if ARGV[9] == 'key' then
    redis.call('ZADD', KEYS[4], 0, ARGV[8])
    if policy then redis.call('ZADD', KEYS[5], 0, ARGV[14]) end
  end
  redis.call('DEL', KEYS[2])
  h = {false, ARGV[3], ARGV[4], ARGV[4], ARGV[10], ARGV[11], false, false}
  redis.call('HSET', KEYS[1], 'rev', newRev, 'ua', ARGV[4], 'meta', h[2], 'ca', h[3], 'life', h[5], 'fs', h[6])
  if ARGV[12] ~= '' then
    h[7] = ARGV[12]
    redis.call('HSET', KEYS[1], 'rme', h[7])
  end
  if ARGV[13] ~= '' then
    h[8] = ARGV[13]
    redis.call('HSET', KEYS[1], 'rma', h[8])
  end
else
  redis.call('HSET', KEYS[1], 'rev', newRev, 'ua', ARGV[4])
end
for i = 1, n do
  redis.call('XADD', KEYS[2], '0-' .. (rev + i), 'i', ARGV[13 + 2 * i], 'd', ARGV[14 + 2 * i])
end
if h[7] then
  local target = newRev - tonumber(h[7])
  if target > fs then
    local _, low = lowest(KEYS[3], lifeOf(h))
    if low and low < target then target = low end
    if target > fs then trimTo(h, KEYS[1], KEYS[2], target) end
  end
end
redis.call(ARGV[5], ARGV[6], ARGV[7] .. newRev .. '}')
return {'ok', newRev, h[2], h[3], ARGV[4], h[5], h[6] or false, h[7], h[8]}`,
);

/** What an append script run needs. */
export interface AppendArgs {
  head: string;
  log: string;
  /** The thread's reverse index (checkpoint pointers), for the maxEntries rule. */
  pointers: string;
  /** The thread index key, when it shares the script's slot (standalone); null in a cluster. */
  index: string | null;
  /** The retention index key, when it shares the script's slot (standalone); null in a cluster. */
  retentionIndex: string | null;
  expectedRev: number | undefined;
  idsFromCaller: boolean;
  /** Metadata JSON, used when the append creates the thread. */
  metadata: string;
  now: string;
  publish: PublishCommand;
  channel: string;
  /** The change message up to its rev (the rev and `}` follow). */
  messagePrefix: string;
  /** The thread's member in the index. */
  member: string;
  /** The thread's member in the retention index. */
  retentionMember: string;
  /** 'key': index in the script (needs `index`); 'ask': answer 'index' before a create; 'done': the caller indexed it. */
  indexMode: 'key' | 'ask' | 'done';
  /** The life a create gives the thread. */
  life: string;
  /** rev and firstSeq a create starts from. */
  startSeq: number;
  /** The policy a create gives the thread. */
  retention: { maxEntries: number | null; maxAgeSeconds: number | null } | null;
  entries: { id: string; json: string }[];
}

/** The append script's run. */
export function appendCall(a: AppendArgs): ScriptCall {
  const keys = a.index === null || a.retentionIndex === null ? [a.head, a.log, a.pointers] : [a.head, a.log, a.pointers, a.index, a.retentionIndex];
  const args = [
    optionalRev(a.expectedRev),
    a.idsFromCaller ? '1' : '0',
    a.metadata,
    a.now,
    a.publish,
    a.channel,
    a.messagePrefix,
    a.member,
    a.indexMode,
    a.life,
    String(a.startSeq),
    a.retention?.maxEntries == null ? '' : String(a.retention.maxEntries),
    a.retention?.maxAgeSeconds == null ? '' : String(a.retention.maxAgeSeconds),
    a.retentionMember,
  ];
  for (const entry of a.entries) args.push(entry.id, entry.json);
  return { script: APPEND, keys, args };
}

/** The append script's answer. `entries` of a replay are the stored entry JSONs, ascending. */
export type AppendReply =
  | { status: 'ok'; head: HeadFields }
  | { status: 'replay'; head: HeadFields; entries: unknown[] }
  | { status: 'conflict'; rev: number }
  | { status: 'index' };

/** Reads the append script's reply. */
export function parseAppendReply(reply: unknown): AppendReply {
  const values = replyArray(reply, 'append');
  const status = values[0];
  if (status === 'ok') return { status, head: headFields(values, 1) };
  if (status === 'replay') return { status, head: headFields(values, 1), entries: values.slice(9) };
  if (status === 'conflict') return { status, rev: Number(values[1]) };
  if (status === 'index') return { status };
  throw new Error(`unexpected append reply ${String(status)}`);
}
