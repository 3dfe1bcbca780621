import type { PreparedAppend } from '../../domain/append.js';
import type { JsonObject } from '../../domain/json.js';
import type { Checkpoint, Entry, RetentionPolicy, ThreadHead } from '../../domain/types.js';

/**
 * What crosses the worker boundary, and its decoding on the main thread. JSON values travel as
 * the strings SQLite stores (parsed here, off the worker), times as epoch milliseconds.
 */

/** A thread head as the worker sends it. */
export interface HeadRow {
  id: string;
  rev: number;
  firstSeq: number;
  retention: RetentionPolicy | null;
  life: string;
  metadata: string;
  createdAt: number;
  updatedAt: number;
}

/** An entry as the worker sends it. */
export interface EntryRow {
  seq: number;
  id: string;
  at: number;
  kind: string;
  payload: string;
  refs: string;
}

/** A checkpoint as the worker sends it. */
export interface CheckpointRow {
  agentType: string;
  agentId: string;
  rev: number;
  version: number;
  state: string;
  thread: { id: string; rev: number; life?: string } | null;
  createdAt: number;
  updatedAt: number;
}

/** A thread head (with its `life`). */
export type SqliteThreadHead = ThreadHead;


const iso = (ms: number): string => new Date(ms).toISOString();

/** Decodes a head. */
export function toHead(row: HeadRow): SqliteThreadHead {
  return {
    id: row.id,
    rev: row.rev,
    firstSeq: row.firstSeq,
    retention: row.retention,
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    life: row.life,
  };
}

/** Decodes an entry of `threadId`. */
export function toEntry(threadId: string, row: EntryRow): Entry {
  return {
    id: row.id,
    threadId,
    seq: row.seq,
    at: iso(row.at),
    kind: row.kind,
    payload: JSON.parse(row.payload) as JsonObject,
    refs: JSON.parse(row.refs) as JsonObject,
  };
}

/** Decodes a checkpoint. */
export function toCheckpoint(row: CheckpointRow): Checkpoint {
  let thread: Checkpoint['thread'] = null;
  if (row.thread) {
    thread = { id: row.thread.id, rev: row.thread.rev };
    if (row.thread.life !== undefined) thread.life = row.thread.life;
  }
  return {
    agentType: row.agentType,
    agentId: row.agentId,
    rev: row.rev,
    version: row.version,
    state: JSON.parse(row.state) as JsonObject,
    thread,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** An append in the form the worker takes. */
export interface AppendArgs {
  namespace: string;
  threadId: string;
  entries: Omit<EntryRow, 'seq'>[];
  idsFromCaller: boolean;
  expectedRev: number | null;
  metadata: string;
  retention: RetentionPolicy | null;
  startSeq: number;
  now: number;
}

/** Serializes an append for the worker (this is also the copy the caller can no longer change). */
export function toAppendArgs(append: PreparedAppend, now: Date): AppendArgs {
  return {
    namespace: append.namespace,
    threadId: append.threadId,
    entries: append.entries.map((e) => ({
      id: e.id,
      at: Date.parse(e.at),
      kind: e.kind,
      payload: JSON.stringify(e.payload),
      refs: JSON.stringify(e.refs),
    })),
    idsFromCaller: append.idsFromCaller,
    expectedRev: append.expectedRev ?? null,
    metadata: JSON.stringify(append.metadata),
    retention: append.retention,
    startSeq: append.startSeq,
    now: now.getTime(),
  };
}
