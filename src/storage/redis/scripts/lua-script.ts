import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/** One run of a script: its keys (the first one routes it in a cluster) and its arguments. */
export interface ScriptCall {
  readonly script: LuaScript;
  readonly keys: string[];
  readonly args: string[];
}

/** PUBLISH on a standalone Redis, SPUBLISH in a cluster (the channel shares the script's slot). */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

/** Defines a script; its SHA1 is computed once. */
export function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** `expectedRev` as a script argument: '' for none. */
export function optionalRev(rev: number | undefined): string {
  return rev === undefined ? '' : String(rev);
}

/** A script reply that must be an array; anything else is a bug in the script or its caller. */
export function replyArray(reply: unknown, name: string): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected ${name} reply ${String(reply)}`);
  return reply;
}

/** The raw fields of a thread head as the scripts return them (decoded by codec.ts). */
export interface HeadFields {
  rev: unknown;
  meta: unknown;
  createdAt: unknown;
  updatedAt: unknown;
  /** Absent (null) for a head stored before thread lives. */
  life: unknown;
}
