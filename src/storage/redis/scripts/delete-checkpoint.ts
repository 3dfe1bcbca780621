import { replyArray, script, type PublishCommand, type ScriptCall } from './lua-script.js';
import { parseRegistration } from './put-checkpoint.js';

/**
 * Checkpoint delete. KEYS: checkpoints hash, checkpoint index. ARGV: 1 member,
 * 2 PUBLISH|SPUBLISH, 3 channel, 4 message. Reply: {1 deleted | 0 missing, the pointer
 * registration it held or nil} (the caller unregisters it: README.md, "Retention").
 */
const DELETE_CHECKPOINT = script(
  'delete-checkpoint',
  `local registration = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
local n = redis.call('HDEL', KEYS[1], 'h:' .. ARGV[1], 'b:' .. ARGV[1], 'r:' .. ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if n > 0 then
  redis.call(ARGV[2], ARGV[3], ARGV[4])
  return {1, registration}
end
return {0, false}`,
);

/** What a checkpoint delete needs. */
export interface DeleteCheckpointArgs {
  checkpoints: string;
  index: string;
  member: string;
  publish: PublishCommand;
  channel: string;
  message: string;
}

/** The delete-checkpoint script's run. */
export function deleteCheckpointCall(a: DeleteCheckpointArgs): ScriptCall {
  return { script: DELETE_CHECKPOINT, keys: [a.checkpoints, a.index], args: [a.member, a.publish, a.channel, a.message] };
}

/** Whether the delete-checkpoint script deleted something, and the registration it held. */
export function parseDeleteCheckpointReply(reply: unknown): { deleted: boolean; registration: { token: string; threadId: string } | null } {
  const [deleted, registration] = replyArray(reply, 'delete-checkpoint');
  return { deleted: Number(deleted) === 1, registration: parseRegistration(registration) };
}
