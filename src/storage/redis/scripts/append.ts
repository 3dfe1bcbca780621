import { optionalRev, replyArray, script, type HeadFields, type PublishCommand, type ScriptCall } from './lua-script.js';

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

/** What an append script run needs. */
export interface AppendArgs {
  head: string;
  log: string;
  /** The thread index key, when it shares the script's slot (standalone); null in a cluster. */
  index: string | null;
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
  /** 'key': index in the script (needs `index`); 'ask': answer 'index' before a create; 'done': the caller indexed it. */
  indexMode: 'key' | 'ask' | 'done';
  /** The life a create gives the thread. */
  life: string;
  entries: { id: string; json: string }[];
}

/** The append script's run. */
export function appendCall(a: AppendArgs): ScriptCall {
  const keys = a.index === null ? [a.head, a.log] : [a.head, a.log, a.index];
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
  const [status, rev, meta, createdAt, updatedAt, life, ...entries] = replyArray(reply, 'append');
  const head = { rev, meta, createdAt, updatedAt, life };
  if (status === 'ok') return { status, head };
  if (status === 'replay') return { status, head, entries };
  if (status === 'conflict') return { status, rev: Number(rev) };
  if (status === 'index') return { status };
  throw new Error(`unexpected append reply ${String(status)}`);
}
