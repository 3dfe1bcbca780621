import { optionalRev, replyArray, script, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * Checkpoint CAS + write + index + notify, mirroring src/domain/checkpoint.ts checkCheckpointRev
 * (the replay rule itself runs in the caller on the stored checkpoint this script returns with a
 * conflict, as a replay writes nothing). The pointer was checked and registered in the thread's
 * slot before (REGISTER_POINTER); this script stores which registration the checkpoint now
 * holds (`r:<member>` = `<token>|<threadId>`) and returns the one it replaced, which the caller
 * then unregisters (README.md, "Retention").
 * KEYS: checkpoints hash, checkpoint index. ARGV: 1 member, 2 expectedRev ('' = none), 3 body,
 * 4 now, 5 PUBLISH|SPUBLISH, 6 channel, 7 message prefix (rev and `}` follow), 8 registration
 * ('' = no pointer).
 * Hash fields: `h:<member>` = "rev|createdAt|updatedAt", `b:<member>` = body JSON, `r:<member>`.
 * Replies: {'ok', rev, createdAt, replaced registration or nil} | {'conflict', rev, [meta, body
 * when rev = expectedRev + 1]}.
 */
const PUT_CHECKPOINT = script(
  'put-checkpoint',
  `local meta = redis.call('HGET', KEYS[1], 'h:' .. ARGV[1])
local rev, created = 0, ARGV[4]
if meta then
  local r, c = string.match(meta, '^(%d+)|([^|]*)|')
  rev = tonumber(r)
  created = c
end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= rev then
  if tonumber(ARGV[2]) + 1 == rev then return {'conflict', rev, meta, redis.call('HGET', KEYS[1], 'b:' .. ARGV[1])} end
  return {'conflict', rev}
end
local replaced = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
rev = rev + 1
redis.call('HSET', KEYS[1], 'h:' .. ARGV[1], rev .. '|' .. created .. '|' .. ARGV[4], 'b:' .. ARGV[1], ARGV[3])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[8]) elseif replaced then redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1]) end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call(ARGV[5], ARGV[6], ARGV[7] .. rev .. '}')
return {'ok', rev, created, replaced}`,
);

/** What a checkpoint put needs. */
export interface PutCheckpointArgs {
  checkpoints: string;
  index: string;
  member: string;
  expectedRev: number | undefined;
  /** The complete body JSON. */
  body: string;
  now: string;
  publish: PublishCommand;
  channel: string;
  /** The change message up to its rev (the rev and `}` follow). */
  messagePrefix: string;
  /** The pointer's registration ({@link registrationValue}), or null for no pointer. */
  registration: string | null;
}

/** What `r:<member>` holds: the registration token and the thread it is registered in. */
export function registrationValue(token: string, threadId: string): string {
  return `${token}|${threadId}`;
}

/** Inverse of {@link registrationValue}; null for anything else. */
export function parseRegistration(value: unknown): { token: string; threadId: string } | null {
  if (typeof value !== 'string') return null;
  const bar = value.indexOf('|');
  return bar <= 0 ? null : { token: value.slice(0, bar), threadId: value.slice(bar + 1) };
}

/** The put-checkpoint script's run. */
export function putCheckpointCall(a: PutCheckpointArgs): ScriptCall {
  const args = [a.member, optionalRev(a.expectedRev), a.body, a.now, a.publish, a.channel, a.messagePrefix, a.registration ?? ''];
  return { script: PUT_CHECKPOINT, keys: [a.checkpoints, a.index], args };
}

/** The put-checkpoint script's answer; `stored` (meta, body) comes with a conflict one rev ahead. */
export type PutCheckpointReply =
  | { status: 'ok'; rev: number; createdAt: unknown; replaced: { token: string; threadId: string } | null }
  | { status: 'conflict'; rev: number; stored: { meta: unknown; body: unknown } | null };

/** Reads the put-checkpoint script's reply. */
export function parsePutCheckpointReply(reply: unknown): PutCheckpointReply {
  const [status, rev, third, fourth] = replyArray(reply, 'put-checkpoint');
  if (status === 'ok') return { status, rev: Number(rev), createdAt: third, replaced: parseRegistration(fourth) };
  if (status === 'conflict') return { status, rev: Number(rev), stored: third == null ? null : { meta: third, body: fourth } };
  throw new Error(`unexpected put-checkpoint reply ${String(status)}`);
}
