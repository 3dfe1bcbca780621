import { HEAD_FIELDS, LUA_HELPERS, headFields, replyArray, script, type HeadFields, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * Sets and/or applies a thread's retention policy in one atomic step (policyTarget of
 * src/domain/retention.ts): the further of the maxEntries target (rev - maxEntries) and the
 * age target (walking up from firstSeq while entries' `at` is older than the cutoff), both
 * bounded by the lowest registered checkpoint pointer of this life; then XTRIM MINID and the
 * thread-trimmed message. The age walk reads at most ARGV[9] entries per run (so one run never
 * blocks Redis for long); the reply says when it stopped there ('more': run again).
 * KEYS: head, log, pointers. ARGV: 1 mode ('set': store ARGV[2], ARGV[3] as the policy first;
 * 'apply': only when the stored policy still equals ARGV[2], ARGV[3], else reply 'changed'),
 * 2 maxEntries, 3 maxAgeSeconds ('' = none), 4 age cutoff (ISO, '' = none), 5 now,
 * 6 PUBLISH|SPUBLISH, 7 channel, 8 message prefix (firstSeq and `}` follow), 9 walk cap.
 * Replies: {'missing'} | {'changed'} | {'ok', dropped, more (0/1), head…} (the 8 HEAD_FIELDS values).
 * The `at` of an entry is read from its JSON (`{"id":"…","at":"…"`, as codec.ts writes it): the
 * first `","at":"` is the structural one, since a quote inside the JSON-escaped id is `\\"`.
 */
const APPLY_POLICY = script(
  'apply-policy',
  `${LUA_HELPERS}local h = redis.call('HMGET', KEYS[1], ${HEAD_FIELDS})
if not h[1] then return {'missing'} end
if ARGV[1] == 'set' then
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'rme', ARGV[2]) else redis.call('HDEL', KEYS[1], 'rme') end
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'rma', ARGV[3]) else redis.call('HDEL', KEYS[1], 'rma') end
  redis.call('HSET', KEYS[1], 'ua', ARGV[5])
  h[4] = ARGV[5]
  h[7] = ARGV[2] ~= '' and ARGV[2] or false
  h[8] = ARGV[3] ~= '' and ARGV[3] or false
elseif (h[7] or '') ~= ARGV[2] or (h[8] or '') ~= ARGV[3] then
  return {'changed'}
end
local rev = tonumber(h[1])
local fs = tonumber(h[6] or '0')
local member, low = lowest(KEYS[3], lifeOf(h))
local limit = rev
if low and low < limit then limit = low end
local target = fs
if h[7] then target = math.max(target, math.min(rev - tonumber(h[7]), limit)) end
local more = 0
if ARGV[4] ~= '' then
  local cap = tonumber(ARGV[9])
  local seq = fs
  local walked = 0
  while seq < limit and walked < cap do
    local count = math.min(100, limit - seq, cap - walked)
    local rows = redis.call('XRANGE', KEYS[2], '0-' .. (seq + 1), '0-' .. (seq + count), 'COUNT', count)
    local young = false
    for i = 1, #rows do
      local json = rows[i][2][4]
      local s = string.find(json, '","at":"', 1, true)
      local at = s and string.sub(json, s + 8, s + 31) or ''
      if not bytesLess(at, ARGV[4]) then
        young = true
        break
      end
      seq = seq + 1
      walked = walked + 1
    end
    if young or #rows < count then break end
    if walked >= cap and seq < limit then more = 1 end
  end
  if seq > target then target = seq end
end
local dropped = 0
if target > fs then
  dropped = target - fs
  trimTo(h, KEYS[1], KEYS[2], target)
  redis.call('HSET', KEYS[1], 'ua', ARGV[5])
  h[4] = ARGV[5]
  redis.call(ARGV[6], ARGV[7], ARGV[8] .. target .. '}')
end
return {'ok', dropped, more, h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]}`,
);

/** What a policy run needs. */
export interface ApplyPolicyArgs {
  head: string;
  log: string;
  pointers: string;
  /** 'set': store `policy` first; 'apply': only when the stored policy still equals `policy`. */
  mode: 'set' | 'apply';
  policy: { maxEntries: number | null; maxAgeSeconds: number | null } | null;
  /** ageCutoff of the policy (src/domain/retention.ts), or null when it sets no age. */
  cutoff: string | null;
  now: string;
  publish: PublishCommand;
  channel: string;
  /** The thread-trimmed message up to its firstSeq. */
  messagePrefix: string;
  /** Most entries one run's age walk reads. */
  walkCap: number;
}

/** The apply-policy script's run. */
export function applyPolicyCall(a: ApplyPolicyArgs): ScriptCall {
  return {
    script: APPLY_POLICY,
    keys: [a.head, a.log, a.pointers],
    args: [
      a.mode,
      a.policy?.maxEntries == null ? '' : String(a.policy.maxEntries),
      a.policy?.maxAgeSeconds == null ? '' : String(a.policy.maxAgeSeconds),
      a.cutoff ?? '',
      a.now,
      a.publish,
      a.channel,
      a.messagePrefix,
      String(a.walkCap),
    ],
  };
}

/** The apply-policy script's answer; `more`: the age walk stopped at its cap, run again. */
export type ApplyPolicyReply = { status: 'missing' | 'changed' } | { status: 'ok'; dropped: number; more: boolean; head: HeadFields };

/** Reads the apply-policy script's reply. */
export function parseApplyPolicyReply(reply: unknown): ApplyPolicyReply {
  const values = replyArray(reply, 'apply-policy');
  const status = values[0];
  if (status === 'missing' || status === 'changed') return { status };
  if (status === 'ok') return { status, dropped: Number(values[1]), more: Number(values[2]) === 1, head: headFields(values, 3) };
  throw new Error(`unexpected apply-policy reply ${String(status)}`);
}
