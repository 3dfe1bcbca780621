import { createHash } from 'node:crypto';
import type { PreparedEntry } from '../../domain/append.js';
import { StorageCorrupted } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Checkpoint, Entry, ThreadHead, ThreadPointer } from '../../domain/types.js';

/**
 * What the adapter stores and how it reads it back. Ids are kept twice: as text (for people
 * reading the tables) and as a `bytea` sort key, the UTF-16BE encoding of the id, so `ORDER BY`
 * on the key is JavaScript's string order (UTF-16 code units), which the other adapters use and
 * no text collation gives. JSON values are stored as the text JSON.stringify made (key order and
 * numbers kept exactly). Decoders throw StorageCorrupted on what they cannot read; never guess.
 */


/** The sort key of an id: its UTF-16BE bytes (memcmp order = UTF-16 code unit order). */
export function sortKey(id: string): Buffer {
  return Buffer.from(id, 'utf16le').swap16();
}

/** The JSON stored for one entry (seq and threadId come from the row and the thread). */
export function encodeEntry(entry: PreparedEntry): string {
  return JSON.stringify({ id: entry.id, at: entry.at, kind: entry.kind, payload: entry.payload, refs: entry.refs });
}

/** Parses a stored JSON object. */
export function parseObject(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'string') throw new StorageCorrupted(`${what} is missing`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new StorageCorrupted(`${what} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new StorageCorrupted(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Rebuilds an entry from its stored JSON, its thread and its seq. */
export function decodeEntry(json: unknown, threadId: string, seq: number): Entry {
  const e = parseObject(json, `entry ${seq} of thread ${JSON.stringify(threadId)}`);
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

/** A bigint column (pg returns int8 as a string) as a number. */
export function int(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new StorageCorrupted(`not an integer: ${String(value)}`);
  return n;
}

/** A timestamptz column as an ISO string. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** The `threads` columns {@link decodeHead} reads. */
export const HEAD_COLUMNS = 'thread_id, rev, first_seq, life, metadata, created_at, updated_at, max_entries, max_age_seconds';

/** A `threads` row ({@link HEAD_COLUMNS}) as a head; null policy columns are no policy. */
export function decodeHead(row: Record<string, unknown>): ThreadHead {
  const id = row.thread_id as string;
  const maxEntries = row.max_entries == null ? null : int(row.max_entries);
  const maxAgeSeconds = row.max_age_seconds == null ? null : int(row.max_age_seconds);
  return {
    id,
    rev: int(row.rev),
    firstSeq: int(row.first_seq),
    retention: maxEntries === null && maxAgeSeconds === null ? null : { maxEntries, maxAgeSeconds },
    metadata: parseObject(row.metadata, `metadata of thread ${JSON.stringify(id)}`) as JsonObject,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    life: String(row.life),
  };
}

/** A `checkpoints` row as a Checkpoint (its pointer with the life it was stored with). */
export function decodeCheckpoint(row: Record<string, unknown>): Checkpoint {
  const agentType = row.agent_type as string;
  const agentId = row.agent_id as string;
  let thread: ThreadPointer | null = null;
  if (row.thread_id != null) {
    thread = { id: row.thread_id as string, rev: int(row.thread_rev) };
    if (row.thread_life != null) thread.life = String(row.thread_life);
  }
  return {
    agentType,
    agentId,
    rev: int(row.rev),
    version: int(row.version),
    state: parseObject(row.state, `state of checkpoint ${agentType}/${agentId}`) as JsonObject,
    thread,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * NOTIFY channel names. Channels are identifiers of at most 63 bytes, so a channel is a hash of
 * (schema, namespace, thread) or (schema, namespace): two deployments (schemas) in one database
 * never hear each other, and a listener still compares the payload's namespace and id (a hash
 * collision costs one wasted read, never a wrong delivery).
 */
export function threadChannel(schema: string, namespace: string, threadId: string): string {
  return `cryo_t_${digest(schema, namespace, threadId)}`;
}

/** The channel of a namespace's checkpoint saves and deletes. */
export function checkpointChannel(schema: string, namespace: string): string {
  return `cryo_c_${digest(schema, namespace)}`;
}

/** The channel of API key revocations (every namespace of the schema; events carry only the key id). */
export function apiKeyChannel(schema: string): string {
  return `cryo_k_${digest(schema)}`;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
