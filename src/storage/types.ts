import type { AppendRequest } from '../domain/append.js';
import type { PutCheckpointRequest } from '../domain/checkpoint.js';
import type { ApiKeyRecord } from '../domain/api-key.js';
import type { SetRetentionRequest, TrimRequest } from '../domain/retention.js';
import type { Checkpoint, Entry, ThreadHead } from '../domain/types.js';

/**
 * The one storage contract (docs/architecture.md). Every method validates its input (ValidationError,
 * nothing written), scopes every key by `namespace` (default "default"), and throws only
 * CryoError subclasses on purpose: RevisionConflict, InvalidThreadPointer, TrimBeyondCheckpoint, ValidationError,
 * StorageUnavailable, StorageCorrupted.
 */
export interface Storage {
  /** Adapter kind: "memory", "sqlite", "file", "redis" or "postgres". */
  readonly kind: string;
  /** Change notifications for live subscriptions. Storage stays the source of truth. */
  readonly changes: ChangeFeed;

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null>;
  /**
   * Upsert with optional CAS (`expectedRev`: 0 = must not exist). Validates the pointer (the
   * thread holds ≥ `rev` entries, in the `life` the caller names, if any) and stores it with the
   * thread's life. A retry whose reply was lost (`expectedRev` n, stored rev n + 1 with the same
   * state, version and pointer) returns the stored checkpoint and writes nothing (see
   * checkPutCheckpoint in src/domain/checkpoint.ts).
   */
  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint>;
  /** Idempotent; true when something was deleted. */
  deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean>;
  /** Ordered by (agentType, agentId); `after` is exclusive. */
  listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>>;

  /** Atomic append: all entries or none. expectedRev and idempotent retries: see docs/architecture.md. */
  appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult>;
  /** Entries with seq ≥ fromSeq, ascending, at most `limit`. Empty when the thread is missing. */
  readEntries(options: ReadEntriesOptions): Promise<Entry[]>;
  /** The last `limit` entries, ascending, with the head they were read at (one consistent read). */
  readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }>;
  /** The thread without entries, or null when it does not exist. */
  getThread(options: ThreadOptions): Promise<ThreadHead | null>;
  /** Idempotent; true when something was deleted. Leaves checkpoints pointing at it alone. */
  deleteThread(options: ThreadOptions): Promise<boolean>;
  /** Ordered by id (UTF-16 code unit order, as JS compares strings); `after` is exclusive. */
  listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>>;

  /**
   * Drops the entries with seq < `beforeSeq` (a prefix), atomically with its checks (checkTrim in
   * src/domain/retention.ts): ValidationError for a missing thread or beforeSeq > rev,
   * RevisionConflict for a stale `expectedRev`, TrimBeyondCheckpoint when a checkpoint pointing
   * at this life of the thread has a lower pointer rev (found through the adapter's reverse index
   * thread → checkpoints, not a scan). `rev` and the remaining seqs never change; firstSeq becomes
   * beforeSeq. beforeSeq ≤ firstSeq succeeds with dropped 0. Trimmed entries are never readable
   * again; their space is reclaimed (at the latest by the adapter's next compaction). Publishes
   * a `thread-trimmed` change when it dropped something.
   */
  trimThread(options: TrimThreadOptions): Promise<TrimThreadResult>;
  /**
   * Sets (or, with null, clears) the thread's retention policy and applies it at once, as far as
   * the checkpoint rule allows. ValidationError for a missing thread or a bad policy.
   */
  setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead>;
  /**
   * Applies every thread's policy (maxAgeSeconds by entry `at` against `now`, and maxEntries)
   * under the checkpoint rule, in every namespace. Does not block appends for longer than one
   * thread's trim. With several processes sharing a backend, at most one sweep runs at a time
   * (a lease); the others return `skipped: true` at once.
   */
  sweepRetention(options?: SweepRetentionOptions): Promise<SweepRetentionResult>;

  /**
   * Stores a new API key (hash only). ValidationError when a key with this id exists (in any
   * namespace) or the record is malformed; nothing written then.
   */
  createApiKey(record: ApiKeyRecord): Promise<void>;
  /**
   * The key with this id, in whichever namespace it lives (authentication looks keys up before
   * it knows the namespace), revoked and expired ones included; null when unknown.
   */
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  /** The keys of one namespace, ordered by id; `after` is exclusive. */
  listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>>;
  /**
   * Marks the key revoked (at `at`, default now) when it exists in this namespace and is not
   * revoked yet, and publishes an `api-key-revoked` change. True when this call revoked it;
   * false for an unknown id, a key of another namespace, or one already revoked.
   */
  revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean>;

  /** Throws StorageUnavailable when the backend does not answer. */
  ping(): Promise<void>;
  /** Idempotent. Releases what the adapter opened (never clients it was lent). */
  close(): Promise<void>;
}

/**
 * Where an adapter reports what it found while opening (repairs as warnings, damage as errors).
 * A pino logger fits. Adapters that find nothing to report never call it.
 */
export interface StorageLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options every call accepts. */
export interface NamespaceOptions {
  /** @default "default" */
  namespace?: string;
}

export interface GetCheckpointOptions extends NamespaceOptions {
  agentType: string;
  agentId: string;
}

export type PutCheckpointOptions = PutCheckpointRequest;

export interface ListCheckpointsOptions extends NamespaceOptions {
  /** Only this agent type. */
  agentType?: string | null;
  /** Page size; default and maximum from the limits. */
  first?: number | null;
  /** Exclusive start key. */
  after?: { agentType: string; agentId: string } | null;
}

export type AppendEntriesOptions = AppendRequest;

export interface AppendEntriesResult {
  /** The thread after the append (or as stored, for a recognised replay). */
  thread: ThreadHead;
  /** The entries of this call, with their seqs (the stored ones for a replay). */
  entries: Entry[];
  /** True when this call was recognised as a retry of one that already succeeded. */
  replayed: boolean;
}

export interface ThreadOptions extends NamespaceOptions {
  threadId: string;
}

export interface ReadEntriesOptions extends ThreadOptions {
  fromSeq: number;
  /**
   * Maximum entries returned. Adapters do not cap it at maxPageSize (live catch-up and persist
   * read larger ranges); the API edge validates page sizes.
   */
  limit: number;
}

export interface ReadTailOptions extends ThreadOptions {
  limit: number;
}

export type TrimThreadOptions = TrimRequest;

export interface TrimThreadResult {
  /** The thread after the trim (firstSeq = the new lowest stored seq). */
  thread: ThreadHead;
  /** Entries this call removed (0 for a no-op). */
  dropped: number;
}

export type SetThreadRetentionOptions = SetRetentionRequest;

export interface SweepRetentionOptions {
  /** The time maxAgeSeconds counts back from. @default new Date() */
  now?: Date;
}

export interface SweepRetentionResult {
  /** True when another process held the sweep lease, so this call did nothing. */
  skipped: boolean;
  /** Threads this sweep trimmed. */
  trimmedThreads: number;
  /** Entries this sweep removed. */
  dropped: number;
}

export interface ListThreadsOptions extends NamespaceOptions {
  first?: number | null;
  /** Exclusive start id. */
  after?: string | null;
}

export interface ListApiKeysOptions extends NamespaceOptions {
  first?: number | null;
  /** Exclusive start id. */
  after?: string | null;
}

export interface RevokeApiKeyOptions extends NamespaceOptions {
  id: string;
}

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  /** True when more items follow the last one. */
  hasMore: boolean;
}

/** What changed. Notifications carry no entries: readers fetch them from storage. */
export type ChangeEvent =
  | { type: 'thread-appended'; namespace: string; threadId: string; rev: number }
  | { type: 'thread-deleted'; namespace: string; threadId: string }
  | { type: 'thread-trimmed'; namespace: string; threadId: string; firstSeq: number }
  | { type: 'checkpoint-saved'; namespace: string; agentType: string; agentId: string; rev: number }
  | { type: 'checkpoint-deleted'; namespace: string; agentType: string; agentId: string }
  | { type: 'api-key-revoked'; keyId: string };

/** Stops a listener. Idempotent. */
export type Unsubscribe = () => Promise<void>;

/**
 * Delivers ChangeEvents of committed writes, from this process (memory, file) or from every
 * process sharing the backend (redis). At-most-once and possibly coalesced: a listener must
 * treat an event as "look at storage", never as the data itself.
 */
export interface ChangeFeed {
  /**
   * Listens to one thread's appends, trims and deletion. Resolves once the listener is active (for
   * Redis: the SUBSCRIBE was acknowledged), so a caller may replay from storage afterwards
   * without missing a change.
   */
  subscribeThread(namespace: string, threadId: string, listener: (event: ChangeEvent) => void): Promise<Unsubscribe>;
  /** Listens to every checkpoint save and delete of a namespace. Resolves once active. */
  subscribeCheckpoints(namespace: string, listener: (event: ChangeEvent) => void): Promise<Unsubscribe>;
  /**
   * Listens to API key revocations of every namespace (the event carries only the key id), so
   * each server instance can drop cached credentials and close sockets. Resolves once active.
   */
  subscribeApiKeys(listener: (event: ChangeEvent) => void): Promise<Unsubscribe>;
  /**
   * Listens to the feed's own health: `false` when notifications may have been lost (e.g. the
   * Redis connection dropped), `true` when they flow again. Listeners re-read storage on `true`.
   */
  onStatus?(listener: (healthy: boolean) => void): () => void;
}
