import { script, type ScriptCall } from './lua-script.js';

/**
 * Second step of registering the pointer of a checkpoint written before the reverse index
 * existed (legacy-pointers.ts): in the namespace's slot, records the registration as the
 * checkpoint's own only if the checkpoint still has the body the caller registered and holds no
 * registration yet (a put since then registered its own). KEYS: checkpoints hash. ARGV: 1 member,
 * 2 the body read before registering, 3 the registration (`<token>|<threadId>`).
 * Reply: 1 adopted, 0 not (the caller removes its registration).
 */
const ADOPT_REGISTRATION = script(
  'adopt-registration',
  `if redis.call('HEXISTS', KEYS[1], 'r:' .. ARGV[1]) == 1 then return 0 end
if redis.call('HGET', KEYS[1], 'b:' .. ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[3])
return 1`,
);

/** The adopt-registration script's run. */
export function adoptRegistrationCall(checkpoints: string, member: string, body: string, registration: string): ScriptCall {
  return { script: ADOPT_REGISTRATION, keys: [checkpoints], args: [member, body, registration] };
}

/** True when the registration was adopted. */
export function parseAdoptRegistrationReply(reply: unknown): boolean {
  return Number(reply) === 1;
}
