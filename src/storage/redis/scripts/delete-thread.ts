import { script, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * Thread delete. KEYS: head, log, [thread index]. ARGV: 1 index member, 2 PUBLISH|SPUBLISH,
 * 3 channel, 4 message. Reply: 1 deleted, 0 missing.
 */
const DELETE_THREAD = script(
  'delete-thread',
  `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
if KEYS[3] then redis.call('ZREM', KEYS[3], ARGV[1]) end
redis.call(ARGV[2], ARGV[3], ARGV[4])
return 1`,
);

/** What a thread delete needs; `index` is null in a cluster (the caller unindexes). */
export interface DeleteThreadArgs {
  head: string;
  log: string;
  index: string | null;
  member: string;
  publish: PublishCommand;
  channel: string;
  message: string;
}

/** The delete-thread script's run. */
export function deleteThreadCall(a: DeleteThreadArgs): ScriptCall {
  const keys = a.index === null ? [a.head, a.log] : [a.head, a.log, a.index];
  return { script: DELETE_THREAD, keys, args: [a.member, a.publish, a.channel, a.message] };
}

/** True when the delete-thread script deleted something. */
export function parseDeleteThreadReply(reply: unknown): boolean {
  return Number(reply) === 1;
}
