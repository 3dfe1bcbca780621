import type { PreparedEntry } from '../../domain/append.js';
import type { PreparedCheckpoint } from '../../domain/checkpoint.js';
import { StorageCorrupted } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import { legacyThreadLife } from '../../domain/thread-life.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
import type { HeadFields } from './scripts/lua-script.js';

/**
 * Encoding of stored values. Entries are stored as the JSON of their PreparedEntry (no seq, no
 * threadId: the stream id and the key carry them); thread heads as hash fields; checkpoints as
 * "rev|createdAt|updatedAt" plus a body JSON {version, state, thread}. Decoders throw
 * StorageCorrupted on anything they cannot read; they never guess.
 */

/** The JSON stored for one entry. */
export function encodeEntry(entry: PreparedEntry): string {
  return JSON.stringify({ id: entry.id, at: entry.at, kind: entry.kind, payload: entry.payload, refs: entry.refs });
}

function parse(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'string') throw new StorageCorrupted(`${what} is missing`);
  try {
    const value: unknown = JSON.parse(json);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new StorageCorrupted(`${what} is not valid JSON`);
  }
}

/** Rebuilds an entry from its stored JSON, its thread and its seq. */
export function decodeEntry(json: unknown, threadId: string, seq: number): Entry {
  const e = parse(json, `entry ${seq} of thread ${JSON.stringify(threadId)}`);
  return {
    id: e.id as string,
    threadId,
    seq,
    at: e.at as string,
    kind: e.kind as string,
    payload: e.payload as JsonObject,
    refs: e.refs as JsonObject,
  };
}

/** Seq of a stream id `0-<seq+1>`. */
export function seqOfStreamId(id: unknown): number {
  const match = typeof id === 'string' ? /^0-(\d+)$/.exec(id) : null;
  if (!match) throw new StorageCorrupted(`unexpected journal stream id ${String(id)}`);
  return Number(match[1]) - 1;
}

/**
 * A thread head from its stored fields. A head stored before lives existed has no life field: it
 * gets the legacy life of its creation time; one stored before retention has no firstSeq (0) and
 * no policy.
 */
export function decodeHead(threadId: string, fields: HeadFields): ThreadHead {
  const { rev, meta, createdAt, updatedAt, life } = fields;
  const n = Number(rev);
  const firstSeq = fields.firstSeq == null ? 0 : Number(fields.firstSeq);
  const maxEntries = optionalBound(fields.maxEntries);
  const maxAgeSeconds = optionalBound(fields.maxAgeSeconds);
  if (
    !Number.isInteger(n) ||
    n < 1 ||
    !Number.isInteger(firstSeq) ||
    firstSeq < 0 ||
    firstSeq > n ||
    maxEntries === undefined ||
    maxAgeSeconds === undefined ||
    typeof createdAt !== 'string' ||
    typeof updatedAt !== 'string'
  ) {
    throw new StorageCorrupted(`thread head of ${JSON.stringify(threadId)} is unreadable`);
  }
  const lifeOf = typeof life === 'string' ? life : legacyThreadLife(createdAt);
  const retention = maxEntries === null && maxAgeSeconds === null ? null : { maxEntries, maxAgeSeconds };
  return { id: threadId, rev: n, firstSeq, life: lifeOf, retention, metadata: parse(meta, 'thread metadata') as JsonObject, createdAt, updatedAt };
}

/** A stored policy bound: null when absent, undefined when unreadable. */
function optionalBound(value: unknown): number | null | undefined {
  if (value == null) return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * The body JSON a put stores, in two parts: with a pointer, the pointed-at thread's life (a JSON
 * string, known only inside the script) goes between them; without one, `tail` is empty.
 */
export function encodeCheckpointBody(put: PreparedCheckpoint): { head: string; tail: string } {
  const state = JSON.stringify(put.state);
  if (!put.thread) return { head: `{"version":${put.version},"thread":null,"state":${state}}`, tail: '' };
  const { id, rev } = put.thread;
  return { head: `{"version":${put.version},"thread":{"id":${JSON.stringify(id)},"rev":${rev},"life":`, tail: `},"state":${state}}` };
}

/** A checkpoint from its key, its "rev|createdAt|updatedAt" meta and its body JSON. */
export function decodeCheckpoint(agentType: string, agentId: string, meta: unknown, body: unknown): Checkpoint {
  const match = typeof meta === 'string' ? /^(\d+)\|([^|]*)\|([^|]*)$/.exec(meta) : null;
  if (!match) throw new StorageCorrupted(`checkpoint ${agentType}/${agentId} is unreadable`);
  const b = parse(body, `checkpoint ${agentType}/${agentId}`);
  return {
    agentType,
    agentId,
    rev: Number(match[1]),
    version: b.version as number,
    state: b.state as JsonObject,
    thread: (b.thread ?? null) as Checkpoint['thread'],
    createdAt: match[2]!,
    updatedAt: match[3]!,
  };
}
