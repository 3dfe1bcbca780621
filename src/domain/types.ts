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
 * A thread without its entries. `rev` is always the number of entries (≥ 1 once it exists).
 * `life` is an opaque id the store assigns when the thread is created (its first append,
 * including the first one after a delete) and never changes during that life: it tells a
 * re-created thread from the one a checkpoint pointed at.
 */
export interface ThreadHead {
  id: string;
  rev: number;
  life: string;
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
