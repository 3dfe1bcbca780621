import type { JsonObject } from '../domain/json.js';
import type { Limits } from '../domain/limits.js';
import type { Checkpoint, Entry, EntryInput, ThreadHead } from '../domain/types.js';

/** The agent's local journal as hibernate receives it (API.graphql `HibernateThreadInput`). */
export interface HibernateThreadInput {
  id: string;
  /** The agent's local rev: how many entries its journal holds. */
  rev: number;
  /** The tail of the local journal: seqs `rev - entries.length .. rev - 1` (all of it allowed). */
  entries: readonly EntryInput[];
  /** Used only when this flush creates the thread. */
  metadata?: JsonObject | null;
}

/** API.graphql `HibernateInput`, plus the namespace. */
export interface HibernateInput {
  /** @default "default" */
  namespace?: string;
  agentType: string;
  agentId: string;
  state: JsonObject;
  /** The state's schema version. @default 1 */
  version?: number | null;
  /** The agent's journal; absent or null: the checkpoint gets a null pointer. */
  thread?: HibernateThreadInput | null;
  /** For the checkpoint: omitted = unconditional, 0 = must not exist, n = its rev must be n. */
  expectedRev?: number | null;
}

/** What hibernate wrote. */
export interface HibernateResult {
  checkpoint: Checkpoint;
  /** Entries newly written to the journal by this call (0 when the store already had them all). */
  flushed: number;
}

/** API.graphql `thaw` arguments, plus the namespace. */
export interface ThawInput {
  /** @default "default" */
  namespace?: string;
  agentType: string;
  agentId: string;
  /** Accept a journal ahead of the pointer and return the extra entries. @default false */
  allowJournalAhead?: boolean | null;
}

/** What thaw found. */
export interface ThawResult {
  checkpoint: Checkpoint;
  /** The pointed-at thread's head, or null when the checkpoint has a null pointer. */
  thread: ThreadHead | null;
  /** Entries after the pointer (seq ≥ pointer rev), ascending; empty unless the journal is ahead. */
  pendingEntries: Entry[];
}

/** Options of hibernate and thaw. */
export interface PersistOptions {
  /** Limits for validating input before anything is read or written; use the storage's. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /**
   * thaw with allowJournalAhead: most pending entries returned in one result; a journal further
   * ahead fails with ThreadMismatch (page it with readEntries instead). @default 10000
   */
  maxPendingEntries?: number;
}
