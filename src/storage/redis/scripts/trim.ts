import { HEAD_FIELDS, LUA_HELPERS, headFields, optionalRev, replyArray, script, type HeadFields, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * trimThread in one atomic step, in the order of checkTrim (src/domain/retention.ts): missing
 * thread, expectedRev, beforeSeq > rev, no-op at or below firstSeq, the lowest registered
 * checkpoint pointer of this life (the reverse index KEYS[3]); then XTRIM MINID, firstSeq,
 * updatedAt and the thread-trimmed message. Registrations are written by REGISTER_POINTER in this
 * same slot, so a trim and a checkpoint put never interleave (README.md, "Retention").
 * KEYS: head, log, pointers. ARGV: 1 beforeSeq, 2 expectedRev ('' = none), 3 now,
 * 4 PUBLISH|SPUBLISH, 5 channel, 6 message prefix (firstSeq and `}` follow).
 * Replies: {'missing'} | {'conflict', rev} | {'beyond', rev} | {'checkpoint', member, pointerRev}
 * | {'noop', head…} | {'ok', dropped, head…} (head: the 8 HEAD_FIELDS values).
 */
const TRIM = script(
  'trim',
  `${LUA_HELPERS}local h = redis.call('HMGET', KEYS[1], ${HEAD_FIELDS})
if not h[1] then return {'missing'} end
local rev = tonumber(h[1])
local fs = tonumber(h[6] or '0')
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= rev then return {'conflict', rev} end
local before = tonumber(ARGV[1])
if before > rev then return {'beyond', rev} end
if before <= fs then return {'noop', h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]} end
local member, low = lowest(KEYS[3], lifeOf(h))
if low and before > low then return {'checkpoint', member, low} end
trimTo(h, KEYS[1], KEYS[2], before)
redis.call('HSET', KEYS[1], 'ua', ARGV[3])
redis.call(ARGV[4], ARGV[5], ARGV[6] .. before .. '}')
return {'ok', before - fs, h[1], h[2], h[3], ARGV[3], h[5], h[6], h[7], h[8]}`,
);

/** What a trim needs. */
export interface TrimArgs {
  head: string;
  log: string;
  pointers: string;
  beforeSeq: number;
  expectedRev: number | undefined;
  now: string;
  publish: PublishCommand;
  channel: string;
  /** The thread-trimmed message up to its firstSeq (the firstSeq and `}` follow). */
  messagePrefix: string;
}

/** The trim script's run. */
export function trimCall(a: TrimArgs): ScriptCall {
  return {
    script: TRIM,
    keys: [a.head, a.log, a.pointers],
    args: [String(a.beforeSeq), optionalRev(a.expectedRev), a.now, a.publish, a.channel, a.messagePrefix],
  };
}

/** The trim script's answer. `member` is the checkpoint index member of the pointer in the way. */
export type TrimReply =
  | { status: 'missing' }
  | { status: 'conflict' | 'beyond'; rev: number }
  | { status: 'checkpoint'; member: string; pointerRev: number }
  | { status: 'noop'; head: HeadFields }
  | { status: 'ok'; dropped: number; head: HeadFields };

/** Reads the trim script's reply. */
export function parseTrimReply(reply: unknown): TrimReply {
  const values = replyArray(reply, 'trim');
  const status = values[0];
  if (status === 'missing') return { status };
  if (status === 'conflict' || status === 'beyond') return { status, rev: Number(values[1]) };
  if (status === 'checkpoint') return { status, member: String(values[1]), pointerRev: Number(values[2]) };
  if (status === 'noop') return { status, head: headFields(values, 1) };
  if (status === 'ok') return { status, dropped: Number(values[1]), head: headFields(values, 2) };
  throw new Error(`unexpected trim reply ${String(status)}`);
}
