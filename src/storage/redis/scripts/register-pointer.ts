import { replyArray, script, type ScriptCall } from './lua-script.js';

/**
 * First step of a checkpoint put with a pointer (README.md, "Retention"): in the THREAD's slot,
 * checks the pointer as src/domain/checkpoint.ts checkThreadPointer does (the thread holds ≥ rev
 * entries, in the life the caller names if any, and rev ≥ firstSeq) and registers it in the
 * thread's reverse index, atomically with trims (TRIM reads that index in the same slot).
 * KEYS: head, pointers. ARGV: 1 field (`<checkpoint member>|<token>`), 2 pointer rev, 3 the life
 * the caller's pointer names ('' = any), 4 '1': register it for any life of the thread (a pointer
 * stored before lives existed), else for the thread's current life.
 * Replies: {'ok', life} | {'pointer', threadRev, 'ahead'|'other-life'|'trimmed'}.
 */
const REGISTER_POINTER = script(
  'register-pointer',
  `local h = redis.call('HMGET', KEYS[1], 'rev', 'life', 'ca', 'fs')
local rev = tonumber(h[1] or '0')
local p = tonumber(ARGV[2])
if rev < p then return {'pointer', rev, 'ahead'} end
local life = h[2] or ('legacy-' .. tostring(h[3]))
if ARGV[3] ~= '' and ARGV[3] ~= life then return {'pointer', rev, 'other-life'} end
if p < tonumber(h[4] or '0') then return {'pointer', rev, 'trimmed'} end
redis.call('HSET', KEYS[2], ARGV[1], p .. '|' .. (ARGV[4] == '1' and '' or life))
return {'ok', life}`,
);

/** What a pointer registration needs. */
export interface RegisterPointerArgs {
  head: string;
  pointers: string;
  /** `<checkpoint member>|<token>`: {@link registrationField}. */
  field: string;
  pointerRev: number;
  /** The life the caller's pointer names, or '' for any. */
  pointerLife: string;
  /** Register for any life (a pointer stored without one); default: the thread's current life. */
  anyLife?: boolean;
}

/** The reverse-index field of one put's registration. */
export function registrationField(member: string, token: string): string {
  return `${member}|${token}`;
}

/** The register-pointer script's run. */
export function registerPointerCall(a: RegisterPointerArgs): ScriptCall {
  return { script: REGISTER_POINTER, keys: [a.head, a.pointers], args: [a.field, String(a.pointerRev), a.pointerLife, a.anyLife ? '1' : '0'] };
}

/** The register-pointer script's answer: the thread's life, or why the pointer is refused. */
export type RegisterPointerReply =
  | { status: 'ok'; life: string }
  | { status: 'pointer'; threadRev: number; reason: 'ahead' | 'other-life' | 'trimmed' };

/** Reads the register-pointer script's reply. */
export function parseRegisterPointerReply(reply: unknown): RegisterPointerReply {
  const [status, second, third] = replyArray(reply, 'register-pointer');
  if (status === 'ok') return { status, life: String(second) };
  if (status === 'pointer' && (third === 'ahead' || third === 'other-life' || third === 'trimmed')) {
    return { status, threadRev: Number(second), reason: third };
  }
  throw new Error(`unexpected register-pointer reply ${String(status)}`);
}
