import type { JsonObject } from './json.js';

/** Namespace used when the caller names none. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * One immutable journal entry. `seq` is 0-based and contiguous, assigned by the store;
 * timestamps are ISO-8601 UTC strings with milliseconds.
 */
export interface Entry {
  id: string;
  threadId: string;
  seq: number;
  at: string;
  kind: string;
  payload: JsonObject;
  refs: JsonObject;
}

/** What a caller sends for one entry; every field optional (defaults: see prepareAppend). */
export interface EntryInput {
  id?: string | null;
  kind?: string | null;
  payload?: JsonObject | null;
  refs?: JsonObject | null;
  at?: string | Date | null;
}

/**
 * A retention policy: the store trims the thread to its last `maxEntries` entries (on append) and
 * drops entries older than `maxAgeSeconds` (by the periodic sweep), never past a checkpoint's
 * pointer (docs/architecture.md, "Retention"). A null field sets no bound.
 */
export interface RetentionPolicy {
  maxEntries: number | null;
  maxAgeSeconds: number | null;
}

/**
 * A thread without its entries. `rev` is always the number of entries ever appended (≥ 1 once it
 * exists); `firstSeq` is the lowest seq still stored (0 until trimmed), so the thread holds
 * `rev - firstSeq` entries. `retention` is the thread's policy, null when it has none.
 * `life` is an opaque id the store assigns when the thread is created (its first append,
 * including the first one after a delete) and never changes during that life: it tells a
 * re-created thread from the one a checkpoint pointed at.
 */
export interface ThreadHead {
  id: string;
  rev: number;
  firstSeq: number;
  life: string;
  retention: RetentionPolicy | null;
  metadata: JsonObject;
  createdAt: string;
  updatedAt: string;
}

/**
 * A checkpoint's pointer into a journal: "the agent had seen `rev` entries of thread `id`, in
 * its life `life`". A stored pointer carries the life of the thread it was checked against; one
 * without `life` (stored before lives existed) matches any life. A caller may leave it out.
 */
export interface ThreadPointer {
  id: string;
  rev: number;
  life?: string;
}

/** Identifies one agent's checkpoint. */
export interface AgentKey {
  agentType: string;
  agentId: string;
}

/** The latest snapshot of one agent. Never holds journal entries, only the pointer. */
export interface Checkpoint extends AgentKey {
  rev: number;
  version: number;
  state: JsonObject;
  thread: ThreadPointer | null;
  createdAt: string;
  updatedAt: string;
}
