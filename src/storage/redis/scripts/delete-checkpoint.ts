import { script, type PublishCommand, type ScriptCall } from './lua-script.js';

/**
 * Checkpoint delete. KEYS: checkpoints hash, checkpoint index. ARGV: 1 member,
 * 2 PUBLISH|SPUBLISH, 3 channel, 4 message. Reply: 1 deleted, 0 missing.
 */
const DELETE_CHECKPOINT = script(
  'delete-checkpoint',
  `local n = redis.call('HDEL', KEYS[1], 'h:' .. ARGV[1], 'b:' .. ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if n > 0 then
  redis.call(ARGV[2], ARGV[3], ARGV[4])
  return 1
end
return 0`,
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

/** True when the delete-checkpoint script deleted something. */
export function parseDeleteCheckpointReply(reply: unknown): boolean {
  return Number(reply) === 1;
}
