import { optionalRev, replyArray, script, type PublishCommand, type ScriptCall } from './lua-script.js';

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
const PUT_CHECKPOINT = script(
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

/** What a checkpoint put needs. */
export interface PutCheckpointArgs {
  checkpoints: string;
  index: string;
  /** The pointed-at thread's head key, when it shares the script's server (standalone); else null. */
  threadHead: string | null;
  member: string;
  expectedRev: number | undefined;
  /** The pointer's rev, or null for no pointer. */
  pointerRev: number | null;
  /** The thread as the caller read it (used without `threadHead`): rev and life. */
  observed: { rev: string; life: string };
  /** The life the caller's pointer names, or '' for any. */
  pointerLife: string;
  body: { head: string; tail: string };
  now: string;
  publish: PublishCommand;
  channel: string;
  /** The change message up to its rev (the rev and `}` follow). */
  messagePrefix: string;
}

/** The put-checkpoint script's run. */
export function putCheckpointCall(a: PutCheckpointArgs): ScriptCall {
  const keys = a.threadHead === null ? [a.checkpoints, a.index] : [a.checkpoints, a.index, a.threadHead];
  const args = [
    a.member,
    optionalRev(a.expectedRev),
    a.pointerRev === null ? '' : String(a.pointerRev),
    a.observed.rev,
    a.observed.life,
    a.pointerLife,
    a.body.head,
    a.body.tail,
    a.now,
    a.publish,
    a.channel,
    a.messagePrefix,
  ];
  return { script: PUT_CHECKPOINT, keys, args };
}

/** The put-checkpoint script's answer; `stored` (meta, body) comes with a conflict one rev ahead. */
export type PutCheckpointReply =
  | { status: 'ok'; rev: number; createdAt: unknown; life: unknown }
  | { status: 'conflict'; rev: number; stored: { meta: unknown; body: unknown } | null }
  | { status: 'pointer'; threadRev: number; otherLife: boolean };

/** Reads the put-checkpoint script's reply. */
export function parsePutCheckpointReply(reply: unknown): PutCheckpointReply {
  const [status, rev, third, fourth] = replyArray(reply, 'put-checkpoint');
  if (status === 'ok') return { status, rev: Number(rev), createdAt: third, life: fourth };
  if (status === 'conflict') return { status, rev: Number(rev), stored: third == null ? null : { meta: third, body: fourth } };
  if (status === 'pointer') return { status, threadRev: Number(rev), otherLife: third === 'life' };
  throw new Error(`unexpected put-checkpoint reply ${String(status)}`);
}
