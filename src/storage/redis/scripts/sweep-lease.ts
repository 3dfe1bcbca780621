import { script, type ScriptCall } from './lua-script.js';

/**
 * The sweep lease: `SET lease <token> NX PX <ms>` takes it (a plain command); these scripts renew
 * and release it only while it still holds this instance's token, so an instance whose lease
 * expired can neither extend nor drop another's. KEYS: lease. ARGV: 1 token, [2 ms].
 * Replies: 1 done, 0 the lease is not (or no longer) ours.
 */
const RENEW_LEASE = script(
  'renew-lease',
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
);

const RELEASE_LEASE = script(
  'release-lease',
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
);

/** Extends the lease to `ms` from now, if it is still `token`'s. */
export function renewLeaseCall(lease: string, token: string, ms: number): ScriptCall {
  return { script: RENEW_LEASE, keys: [lease], args: [token, String(ms)] };
}

/** Drops the lease, if it is still `token`'s. */
export function releaseLeaseCall(lease: string, token: string): ScriptCall {
  return { script: RELEASE_LEASE, keys: [lease], args: [token] };
}

/** True when a lease script acted (the lease was ours). */
export function parseLeaseReply(reply: unknown): boolean {
  return Number(reply) === 1;
}
