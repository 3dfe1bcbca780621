import { HEAD_FIELDS, LUA_HELPERS, headFields, optionalRev, replyArray, script, type HeadFields, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * One or more appends in one atomic step, each mirroring src/domain/append.ts (checkExpectedRev +
 * isReplayOf) and the maxEntries rule of src/domain/retention.ts (maxEntriesTarget, bounded by the
 * lowest registered pointer of this life), applied one after the other exactly as separate runs
 * would be (a later append of the run sees what an earlier one wrote). Each has its own outcome:
 * one append's conflict does not affect the others. In a cluster every key of a run is in one
 * slot (append-batcher.ts groups by slot).
 *
 * An append comes `lean` (only what every append needs) or `full` (plus what creating the thread
 * needs). A lean append to a missing thread, or to one whose head lacks the stored change-message
 * prefix `mp` (written before this layout), answers {'full'} and writes nothing: the caller sends
 * it again full. A `short` append is a lean one that also names the thread's life: while the
 * head still has that life (so the same metadata and createdAt, which only a create writes) and
 * expectedRev holds, it reads only rev, life, firstSeq, policy and `mp` and answers {'short', rev,
 * firstSeq, maxEntries, maxAgeSeconds} (updatedAt is its `now`); another life answers {'full'};
 * a revision mismatch goes on as a lean append (conflict or replay, answered with the head). The thread's log, reverse index and channel are derived from the head key
 * (`<tag>:h` → `<tag>:j`, `<tag>:p`, `<tag>:events`; all in the head's slot).
 *
 * ARGV: 1 PUBLISH|SPUBLISH, then per append: +0 form ('L' lean; 'S' short; full: 'K' index in the script,
 * with the thread index and retention index as extra KEYS; 'A' reply {'index'} before a create
 * (cluster: the caller indexes first); 'D' the caller already indexed it), +1 expectedRev ('' =
 * none), +2 idsFromCaller ('1'/'0'), +3 now, +4 entry count n; 'S' goes on with +5 the life it
 * expects; full forms go on with +5 metadata
 * JSON, +6 change message prefix (rev and `}` follow), +7 thread index member, +8 the life a
 * create gives the thread, +9 startSeq (rev and firstSeq of a created thread before this append),
 * +10 maxEntries and +11 maxAgeSeconds of a created thread ('' = none), +12 retention index
 * member; then n pairs (entry id, entry JSON).
 * KEYS per append: head, log, and for 'K' the thread index and the retention index.
 * Reply: one array per append: {'ok', head…} | {'short', rev, fs, rme, rma} | {'replay', head…,
 * json…} | {'conflict', rev} | {'index'} | {'full'}, head being the 8 HEAD_FIELDS values. Entry seq s is stream id `0-(s+1)`.
 * A retry whose entries were trimmed (expectedRev < firstSeq) is a conflict.
 */
export const APPEND = script(
  'append',
  `${LUA_HELPERS}local function shortAppend(head, log, b, e, s)
  local rev = tonumber(s[1])
  local n = tonumber(ARGV[b + 4])
  local newRev = rev + n
  local last = tostring(newRev)
  redis.call('HSET', head, 'rev', last, 'ua', ARGV[b + 3])
  for i = 1, n - 1 do
    redis.call('XADD', log, '0-' .. (rev + i), 'i', ARGV[e + 2 * i - 2], 'd', ARGV[e + 2 * i - 1])
  end
  redis.call('XADD', log, '0-' .. last, 'i', ARGV[e + 2 * n - 2], 'd', ARGV[e + 2 * n - 1])
  local fs = s[3]
  if s[4] then
    local target = newRev - tonumber(s[4])
    local from = tonumber(fs or '0')
    if target > from then
      local _, low = lowest(string.sub(head, 1, -2) .. 'p', s[2])
      if low and low < target then target = low end
      if target > from then
        local h = {}
        trimTo(h, head, log, target)
        fs = h[6]
      end
    end
  end
  redis.call(ARGV[1], string.sub(head, 1, -2) .. 'events', s[5] .. last .. '}')
  return {'short', newRev, fs, s[4], s[6]}
end
local function appendOne(head, log, index, rindex, b, e)
  local form = ARGV[b]
  if form == 'S' then
    local s = redis.call('HMGET', head, 'rev', 'life', 'fs', 'rme', 'mp', 'rma')
    if s[2] ~= ARGV[b + 5] or not s[5] then return {'full'} end
    if ARGV[b + 1] == '' or tonumber(ARGV[b + 1]) == tonumber(s[1]) then return shortAppend(head, log, b, e, s) end
    form = 'L'
  end
  local h = redis.call('HMGET', head, ${HEAD_FIELDS}, 'mp')
  local exists = h[1] ~= false
  if form == 'L' and not (exists and h[9]) then return {'full'} end
  local startSeq = form == 'L' and '0' or ARGV[b + 9]
  local rev = tonumber(h[1] or startSeq)
  local fs = tonumber(h[6] or (exists and '0' or startSeq))
  local n = tonumber(ARGV[b + 4])
  if ARGV[b + 1] ~= '' then
    local expected = tonumber(ARGV[b + 1])
    if expected ~= rev then
      if ARGV[b + 2] == '1' and expected + n <= rev and expected >= fs then
        local stored = redis.call('XRANGE', log, '0-' .. (expected + 1), '0-' .. (expected + n))
        local same = #stored == n
        if same then
          for i = 1, n do
            if stored[i][2][2] ~= ARGV[e + 2 * i - 2] then
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
  local now = ARGV[b + 3]
  local newRev = rev + n
  local base = string.sub(head, 1, -2)
  if not exists then
    if form == 'A' then return {'index'} end
    if form == 'K' then
      redis.call('ZADD', index, 0, ARGV[b + 7])
      if ARGV[b + 10] ~= '' or ARGV[b + 11] ~= '' then redis.call('ZADD', rindex, 0, ARGV[b + 12]) end
    end
    redis.call('DEL', log)
    h = {false, ARGV[b + 5], now, now, ARGV[b + 8], startSeq, false, false, ARGV[b + 6]}
    redis.call('HSET', head, 'rev', newRev, 'ua', now, 'meta', h[2], 'ca', now, 'life', h[5], 'fs', startSeq, 'mp', h[9])
    if ARGV[b + 10] ~= '' then
      h[7] = ARGV[b + 10]
      redis.call('HSET', head, 'rme', h[7])
    end
    if ARGV[b + 11] ~= '' then
      h[8] = ARGV[b + 11]
      redis.call('HSET', head, 'rma', h[8])
    end
  elseif not h[9] then
    h[9] = ARGV[b + 6]
    redis.call('HSET', head, 'rev', newRev, 'ua', now, 'mp', h[9])
  else
    redis.call('HSET', head, 'rev', newRev, 'ua', now)
  end
  for i = 1, n do
    redis.call('XADD', log, '0-' .. (rev + i), 'i', ARGV[e + 2 * i - 2], 'd', ARGV[e + 2 * i - 1])
  end
  if h[7] then
    local target = newRev - tonumber(h[7])
    if target > fs then
      local _, low = lowest(base .. 'p', lifeOf(h))
      if low and low < target then target = low end
      if target > fs then trimTo(h, head, log, target) end
    end
  end
  redis.call(ARGV[1], base .. 'events', h[9] .. newRev .. '}')
  return {'ok', newRev, h[2], h[3], now, h[5], h[6] or false, h[7], h[8]}
end
local replies = {}
local b = 2
local k = 1
local last = #ARGV
local width = {L = 5, S = 6}
while b <= last do
  local e = b + (width[ARGV[b]] or 13)
  if ARGV[b] == 'K' then
    replies[#replies + 1] = appendOne(KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], b, e)
    k = k + 4
  else
    replies[#replies + 1] = appendOne(KEYS[k], KEYS[k + 1], false, false, b, e)
    k = k + 2
  end
  b = e + 2 * tonumber(ARGV[b + 4])
end
return replies`,
);

/** What creating the thread needs, sent with a `full` append only. */
export interface AppendCreateArgs {
  /** 'key': index in the script (needs the index keys); 'ask': answer 'index' before a create; 'done': the caller indexed it. */
  indexMode: 'key' | 'ask' | 'done';
  /** The thread index key and the retention index key ('key' mode, standalone only). */
  index: string | null;
  retentionIndex: string | null;
  /** Metadata JSON. */
  metadata: string;
  /** The thread-appended message up to its rev (the rev and `}` follow); stored in the head. */
  messagePrefix: string;
  /** The thread's member in the thread index and in the retention index. */
  member: string;
  retentionMember: string;
  /** The life a create gives the thread. */
  life: string;
  /** rev and firstSeq a create starts from. */
  startSeq: number;
  /** The policy a create gives the thread. */
  retention: { maxEntries: number | null; maxAgeSeconds: number | null } | null;
}

/** What one append of a script run needs. */
export interface AppendArgs {
  head: string;
  log: string;
  expectedRev: number | undefined;
  idsFromCaller: boolean;
  now: string;
  entries: { id: string; json: string }[];
  /** Present: a `full` append (it may create the thread); absent: `lean`. */
  create?: AppendCreateArgs | undefined;
  /** The thread's life as this process last saw it (no `create`): a `short` append. */
  knownLife?: string | undefined;
}

const FORMS = { key: 'K', ask: 'A', done: 'D' } as const;

/** The append script's run for one or more appends, applied in order. */
export function appendCall(appends: readonly AppendArgs[], publish: PublishCommand): ScriptCall {
  const keys: string[] = [];
  const args: string[] = [publish];
  for (const a of appends) {
    const c = a.create;
    keys.push(a.head, a.log);
    if (c?.indexMode === 'key') keys.push(c.index!, c.retentionIndex!);
    const form = c ? FORMS[c.indexMode] : a.knownLife === undefined ? 'L' : 'S';
    args.push(form, optionalRev(a.expectedRev), a.idsFromCaller ? '1' : '0', a.now, String(a.entries.length));
    if (form === 'S') args.push(a.knownLife!);
    if (c) {
      args.push(
        c.metadata,
        c.messagePrefix,
        c.member,
        c.life,
        String(c.startSeq),
        c.retention?.maxEntries == null ? '' : String(c.retention.maxEntries),
        c.retention?.maxAgeSeconds == null ? '' : String(c.retention.maxAgeSeconds),
        c.retentionMember,
      );
    }
    for (const entry of a.entries) args.push(entry.id, entry.json);
  }
  return { script: APPEND, keys, args };
}

/**
 * One append's answer. `entries` of a replay are the stored entry JSONs, ascending. `short`
 * carries only what an append may change besides updatedAt (its `now`): the rest of the head is
 * what the caller saw with the life it named.
 */
export type AppendReply =
  | { status: 'ok'; head: HeadFields }
  | { status: 'short'; rev: unknown; firstSeq: unknown; maxEntries: unknown; maxAgeSeconds: unknown }
  | { status: 'replay'; head: HeadFields; entries: unknown[] }
  | { status: 'conflict'; rev: number }
  | { status: 'index' | 'full' };

/** Reads the append script's reply: one answer per append of the run, in order. */
export function parseAppendReplies(reply: unknown, count: number): AppendReply[] {
  const replies = replyArray(reply, 'append');
  if (replies.length !== count) throw new Error(`append script answered ${replies.length} of ${count} appends`);
  return replies.map(parseOne);
}

function parseOne(reply: unknown): AppendReply {
  const values = replyArray(reply, 'append');
  const status = values[0];
  if (status === 'short') return { status, rev: values[1], firstSeq: values[2], maxEntries: values[3], maxAgeSeconds: values[4] };
  if (status === 'ok') return { status, head: headFields(values, 1) };
  if (status === 'replay') return { status, head: headFields(values, 1), entries: values.slice(9) };
  if (status === 'conflict') return { status, rev: Number(values[1]) };
  if (status === 'index' || status === 'full') return { status };
  throw new Error(`unexpected append reply ${String(status)}`);
}
