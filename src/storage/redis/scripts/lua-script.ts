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
  /** firstSeq; absent (null) for a head stored before retention (= 0). */
  firstSeq?: unknown;
  /** Retention policy bounds; absent (null) when not set. */
  maxEntries?: unknown;
  maxAgeSeconds?: unknown;
}

/**
 * The head hash fields scripts read with `HMGET head <HEAD_FIELDS>`, in the order of
 * {@link headFields}: h[1] rev, h[2] meta, h[3] ca, h[4] ua, h[5] life, h[6] fs (firstSeq),
 * h[7] rme (maxEntries), h[8] rma (maxAgeSeconds).
 */
export const HEAD_FIELDS = `'rev', 'meta', 'ca', 'ua', 'life', 'fs', 'rme', 'rma'`;

/** Head fields from the 8 values of a reply that follow HEAD_FIELDS order, starting at `at`. */
export function headFields(values: unknown[], at: number): HeadFields {
  const [rev, meta, createdAt, updatedAt, life, firstSeq, maxEntries, maxAgeSeconds] = values.slice(at, at + 8);
  return { rev, meta, createdAt, updatedAt, life, firstSeq, maxEntries, maxAgeSeconds };
}

/**
 * Lua helpers shared by the thread scripts (prepended to their source):
 * - `lifeOf(h)`: the thread's life from its HMGET HEAD_FIELDS values (legacy heads derive it
 *   from createdAt, as src/domain/thread-life.ts does).
 * - `lowest(pointersKey, life)`: the registered checkpoint pointer with the lowest rev among
 *   those of this life (src/domain/retention.ts lowestPointer; ties: the lowest member, i.e.
 *   the first by (agentType, agentId)). Returns member, rev; false, false when none.
 * - `bytesLess(a, b)`: byte-wise a < b (Lua's `<` on strings uses the server's collation locale).
 * - `trimTo(h, head, log, target)`: XTRIM MINID below seq `target` (stream id 0-(target+1),
 *   exact, so nothing below stays readable), sets fs and h[6].
 */
export const LUA_HELPERS = `local function bytesLess(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function lifeOf(h)
  return h[5] or ('legacy-' .. tostring(h[3]))
end
local function lowest(pointers, life)
  local all = redis.call('HGETALL', pointers)
  local best, bestRev = false, false
  for i = 1, #all, 2 do
    local r, l = string.match(all[i + 1], '^(%d+)|(.*)$')
    r = tonumber(r)
    if r and (l == '' or l == life) then
      local m = string.match(all[i], '^([^|]*)|')
      if not bestRev or r < bestRev or (r == bestRev and bytesLess(m, best)) then best, bestRev = m, r end
    end
  end
  return best, bestRev
end
local function trimTo(h, head, log, target)
  redis.call('XTRIM', log, 'MINID', '0-' .. (target + 1))
  redis.call('HSET', head, 'fs', target)
  h[6] = tostring(target)
end
`;
