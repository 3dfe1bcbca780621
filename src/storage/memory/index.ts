import { assignSeqs, checkExpectedRev, isReplayOf, prepareAppend } from '../../domain/append.js';
import { checkPutCheckpoint, nextCheckpoint, preparePutCheckpoint } from '../../domain/checkpoint.js';
import { RevisionConflict, StorageUnavailable } from '../../domain/errors.js';
import {
  checkTrim,
  lowestPointerAtLife,
  maxEntriesTarget,
  policyTarget,
  prepareSetRetention,
  prepareSweep,
  prepareTrim,
  requireThread,
  type PointerHolder,
} from '../../domain/retention.js';
import { isoTime } from '../../domain/iso-time.js';
import { newThreadLife } from '../../domain/thread-life.js';
import { DEFAULT_LIMITS, type Limits } from '../../domain/limits.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { ApiKeyTable, prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
import { LocalChangeFeed } from '../local-change-feed.js';
import {
  compareCheckpointKeys,
  prepareCheckpointKey,
  prepareListCheckpoints,
  prepareListThreads,
  prepareReadEntries,
  prepareReadTail,
  prepareThreadKey,
} from '../prepare-options.js';
import type {
  AppendEntriesOptions,
  AppendEntriesResult,
  GetCheckpointOptions,
  ListApiKeysOptions,
  ListCheckpointsOptions,
  ListThreadsOptions,
  Page,
  PutCheckpointOptions,
  ReadEntriesOptions,
  ReadTailOptions,
  RevokeApiKeyOptions,
  SetThreadRetentionOptions,
  Storage,
  SweepRetentionOptions,
  SweepRetentionResult,
  ThreadOptions,
  TrimThreadOptions,
  TrimThreadResult,
} from '../types.js';

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
}

/**
 * One thread. `entries[i]` has seq `base + i`; the ones below `head.firstSeq` are trimmed and
 * dropped from the array once they outnumber the stored ones (amortized O(1) per trimmed entry).
 */
interface ThreadRecord {
  head: ThreadHead;
  entries: Entry[];
  base: number;
}

/** A checkpoint's pointer as the reverse index keeps it: who points, at which rev, in which life. */
interface PointerRecord extends PointerHolder {
  life: string | undefined;
}

interface NamespaceData {
  threads: Map<string, ThreadRecord>;
  checkpoints: Map<string, Checkpoint>;
  /** Reverse index: thread id → checkpoint key → the checkpoint's pointer into it. */
  pointers: Map<string, Map<string, PointerRecord>>;
}

/**
 * A deep copy. Plain objects and arrays (everything stored here has passed a JSON.stringify in
 * validation, so there are no cycles) are copied directly, which is several times cheaper than
 * structuredClone on Node 20; any other object (a Date, a class instance…) goes through
 * structuredClone as before. Shared sub-objects are copied once per reference.
 */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return copyScalar(value);
  return copyObject(value);
}

/** A non-object as {@link clone} copies it: itself, except that functions and symbols throw as structuredClone does. */
function copyScalar<T>(value: T): T {
  return typeof value === 'function' || typeof value === 'symbol' ? structuredClone(value) : value;
}

/** {@link clone} of a non-null object; recurses only into object children (scalars are copied inline). */
function copyObject<T>(value: T & object): T {
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      out[i] = item !== null && typeof item === 'object' ? copyObject(item) : copyScalar(item);
    }
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (value as Record<string, unknown>)[key];
    const copy = item !== null && typeof item === 'object' ? copyObject(item) : copyScalar(item);
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/**
 * A deep copy of an entry as this adapter stores it (the fields of {@link assignSeqs}'s result, in
 * its key order), without walking the fixed fields: only payload and refs are cloned.
 */
function copyEntry(entry: Entry): Entry {
  return {
    id: entry.id,
    at: entry.at,
    kind: entry.kind,
    payload: copyObject(entry.payload),
    refs: copyObject(entry.refs),
    threadId: entry.threadId,
    seq: entry.seq,
  };
}

function copyEntries(entries: readonly Entry[]): Entry[] {
  const out = new Array<Entry>(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = copyEntry(entries[i]!);
  return out;
}

/** A deep copy of a stored thread head (the fields appendEntries creates, in their key order). */
function copyHead(head: ThreadHead): ThreadHead {
  return {
    id: head.id,
    rev: head.rev,
    firstSeq: head.firstSeq,
    life: head.life,
    retention: head.retention === null ? null : copyObject(head.retention),
    metadata: copyObject(head.metadata),
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
  };
}

/** The map key of a checkpoint: validated ids never hold U+0000 (validateId refuses control characters), so it separates them unambiguously. */
const checkpointKey = (agentType: string, agentId: string): string => `${agentType}\u0000${agentId}`;

/** The stored entries of a thread from firstSeq up, lazily (a policy walk stops at the first young entry). */
function* storedFrom(record: ThreadRecord): Generator<Entry> {
  for (let i = record.head.firstSeq - record.base; i < record.entries.length; i++) yield record.entries[i]!;
}

/** Threads a sweep handles between two yields to the event loop. */
const SWEEP_BATCH = 256;


/**
 * An in-process Storage for tests and quick runs. Every method body runs synchronously after
 * validation (no await between the revision check and the write), which serializes appends per
 * thread and makes racing appends linearizable within this process. Stores and returns deep
 * copies. Appends cost O(entries in the call); tail and range reads O(entries returned);
 * listings sort the namespace's keys (O(n log n)). Does NOT promise durability (everything is
 * lost on close or exit), sharing across processes, or any bound on memory use.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  return new MemoryStorage({ ...DEFAULT_LIMITS, ...options.limits }, options.now ?? (() => new Date()));
}

class MemoryStorage implements Storage {
  readonly kind = 'memory';
  readonly changes = new LocalChangeFeed();
  readonly #namespaces = new Map<string, NamespaceData>();
  readonly #apiKeys = new ApiKeyTable();
  #closed = false;
  #sweeping = false;

  constructor(
    readonly limits: Limits,
    readonly now: () => Date,
  ) {}

  /** The namespaces holding at least one thread or checkpoint, in no particular order (for export). */
  async namespaces(): Promise<string[]> {
    this.#open();
    return [...this.#namespaces].filter(([, data]) => data.threads.size > 0 || data.checkpoints.size > 0).map(([name]) => name);
  }

  async getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    this.#open();
    const key = prepareCheckpointKey(options, this.limits);
    const stored = this.#namespaces.get(key.namespace)?.checkpoints.get(checkpointKey(key.agentType, key.agentId));
    return stored ? clone(stored) : null;
  }

  async putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    this.#open();
    const put = preparePutCheckpoint(options, this.limits);
    const key = checkpointKey(put.agentType, put.agentId);
    const existing = this.#namespaces.get(put.namespace);
    const current = existing?.checkpoints.get(key) ?? null;
    const thread = put.thread ? (existing?.threads.get(put.thread.id)?.head ?? null) : null;
    if (checkPutCheckpoint(put, current, thread) === 'replay') return clone(current!);
    const next = clone(nextCheckpoint(put, current, thread, this.now()));
    const data = this.#namespace(put.namespace);
    data.checkpoints.set(key, next);
    this.#unindexPointer(data, key, current);
    this.#indexPointer(data, key, next);
    this.changes.publish({
      type: 'checkpoint-saved',
      namespace: put.namespace,
      agentType: put.agentType,
      agentId: put.agentId,
      rev: next.rev,
    });
    return clone(next);
  }

  async deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    this.#open();
    const { namespace, agentType, agentId } = prepareCheckpointKey(options, this.limits);
    const data = this.#namespaces.get(namespace);
    const key = checkpointKey(agentType, agentId);
    const current = data?.checkpoints.get(key) ?? null;
    if (data && current) this.#unindexPointer(data, key, current);
    const deleted = data?.checkpoints.delete(key) ?? false;
    if (deleted) this.changes.publish({ type: 'checkpoint-deleted', namespace, agentType, agentId });
    return deleted;
  }

  async listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    this.#open();
    const { namespace, agentType, first, after } = prepareListCheckpoints(options, this.limits);
    const all = [...(this.#namespaces.get(namespace)?.checkpoints.values() ?? [])]
      .filter((c) => (agentType === null || c.agentType === agentType) && (!after || compareCheckpointKeys(c, after) > 0))
      .sort(compareCheckpointKeys);
    return { items: all.slice(0, first).map(clone), hasMore: all.length > first };
  }

  async appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    this.#open();
    const now = this.now();
    const append = prepareAppend(options, this.limits, now);
    const existing = this.#namespaces.get(append.namespace);
    const record = existing?.threads.get(append.threadId);
    const currentRev = record?.head.rev ?? append.startSeq;
    const decision = checkExpectedRev(append, currentRev);
    if (decision instanceof RevisionConflict) throw decision;
    if (decision === 'check-replay' && append.expectedRev !== undefined) {
      // A replay whose entries were trimmed (or never stored) cannot be recognised: it is a conflict.
      const stored =
        !record || append.expectedRev < record.head.firstSeq ? [] : this.#slice(record, append.expectedRev, append.entries.length);
      if (!isReplayOf(append, stored.map((e) => e.id))) {
        throw new RevisionConflict(append.expectedRev, currentRev, `thread ${JSON.stringify(append.threadId)}`);
      }
      return { thread: copyHead(record!.head), entries: copyEntries(stored), replayed: true };
    }
    // The entries to store: fresh objects from assignSeqs whose payload and refs (still the caller's) are replaced by copies.
    const entries = assignSeqs(append.threadId, append.entries, currentRev);
    for (const entry of entries) {
      entry.payload = copyObject(entry.payload);
      entry.refs = copyObject(entry.refs);
    }
    const at = isoTime(now);
    const target: ThreadRecord = record ?? {
      head: {
        id: append.threadId,
        rev: currentRev,
        firstSeq: currentRev,
        life: newThreadLife(),
        retention: clone(append.retention),
        metadata: clone(append.metadata),
        createdAt: at,
        updatedAt: at,
      },
      entries: [],
      base: currentRev,
    };
    const data = existing ?? this.#namespace(append.namespace);
    if (!record) data.threads.set(append.threadId, target);
    for (const entry of entries) target.entries.push(entry);
    target.head.rev += entries.length;
    target.head.updatedAt = at;
    // The pointer scan only runs for a thread with a maxEntries policy (maxEntriesTarget is null without one).
    if (target.head.retention?.maxEntries != null) {
      const trimTo = maxEntriesTarget(target.head, target.head.retention, this.#lowestPointer(data, target)?.rev ?? null);
      if (trimTo !== null) this.#drop(target, trimTo);
    }
    this.changes.publish({
      type: 'thread-appended',
      namespace: append.namespace,
      threadId: append.threadId,
      rev: target.head.rev,
    });
    return { thread: copyHead(target.head), entries: copyEntries(entries), replayed: false };
  }

  async readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    this.#open();
    const { namespace, threadId, fromSeq, limit } = prepareReadEntries(options, this.limits);
    const record = this.#namespaces.get(namespace)?.threads.get(threadId);
    if (!record) return [];
    const from = Math.max(fromSeq, record.head.firstSeq);
    return copyEntries(this.#slice(record, from, Math.min(limit, record.head.rev - from)));
  }

  async readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    this.#open();
    const { namespace, threadId, limit } = prepareReadTail(options, this.limits);
    const record = this.#namespaces.get(namespace)?.threads.get(threadId);
    if (!record) return { thread: null, entries: [] };
    const start = Math.max(record.head.firstSeq, record.head.rev - limit);
    return { thread: copyHead(record.head), entries: copyEntries(this.#slice(record, start, record.head.rev - start)) };
  }

  async getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    this.#open();
    const { namespace, threadId } = prepareThreadKey(options, this.limits);
    const record = this.#namespaces.get(namespace)?.threads.get(threadId);
    return record ? copyHead(record.head) : null;
  }

  async deleteThread(options: ThreadOptions): Promise<boolean> {
    this.#open();
    const { namespace, threadId } = prepareThreadKey(options, this.limits);
    const deleted = this.#namespaces.get(namespace)?.threads.delete(threadId) ?? false;
    if (deleted) this.changes.publish({ type: 'thread-deleted', namespace, threadId });
    return deleted;
  }

  async listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    this.#open();
    const { namespace, first, after } = prepareListThreads(options, this.limits);
    const ids = [...(this.#namespaces.get(namespace)?.threads.keys() ?? [])]
      .filter((id) => after === null || id > after)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const threads = this.#namespaces.get(namespace)?.threads;
    const items = ids.slice(0, first).map((id) => copyHead(threads!.get(id)!.head));
    return { items, hasMore: ids.length > first };
  }

  async trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    this.#open();
    const trim = prepareTrim(options, this.limits);
    const data = this.#namespaces.get(trim.namespace);
    const record = data?.threads.get(trim.threadId);
    const lowest = data && record ? this.#lowestPointer(data, record) : null;
    if (checkTrim(trim, record?.head ?? null, lowest) === 'noop') return { thread: copyHead(record!.head), dropped: 0 };
    const dropped = this.#drop(record!, trim.beforeSeq);
    record!.head.updatedAt = this.now().toISOString();
    this.#publishTrim(trim.namespace, record!);
    return { thread: copyHead(record!.head), dropped };
  }

  async setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead> {
    this.#open();
    const set = prepareSetRetention(options, this.limits);
    const data = this.#namespaces.get(set.namespace);
    const record = requireThread(data?.threads.get(set.threadId), set.threadId);
    record.head.retention = clone(set.retention);
    record.head.updatedAt = this.now().toISOString();
    this.#applyPolicy(data!, set.namespace, record, this.now());
    return copyHead(record.head);
  }

  /**
   * Applies every thread's policy. Yields to the event loop every {@link SWEEP_BATCH} threads, so
   * requests wait at most for one batch of trims; a second sweep while one runs is skipped.
   */
  async sweepRetention(options: SweepRetentionOptions = {}): Promise<SweepRetentionResult> {
    this.#open();
    const now = prepareSweep(options, () => this.now());
    if (this.#sweeping) return { skipped: true, trimmedThreads: 0, dropped: 0 };
    this.#sweeping = true;
    try {
      let trimmedThreads = 0;
      let dropped = 0;
      let seen = 0;
      for (const [namespace, data] of [...this.#namespaces]) {
        for (const record of [...data.threads.values()]) {
          if (++seen % SWEEP_BATCH === 0) {
            await new Promise((resolve) => setImmediate(resolve));
            if (this.#closed) return { skipped: false, trimmedThreads, dropped };
          }
          // Skip a thread deleted (or re-created) while the sweep yielded.
          if (!record.head.retention || data.threads.get(record.head.id) !== record) continue;
          const n = this.#applyPolicy(data, namespace, record, now);
          if (n > 0) {
            trimmedThreads++;
            dropped += n;
          }
        }
      }
      return { skipped: false, trimmedThreads, dropped };
    } finally {
      this.#sweeping = false;
    }
  }

  async createApiKey(record: ApiKeyRecord): Promise<void> {
    this.#open();
    this.#apiKeys.add(prepareApiKeyRecord(record, this.limits));
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    this.#open();
    return typeof id === 'string' ? this.#apiKeys.get(id) : null;
  }

  async listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    this.#open();
    const { namespace, first, after } = prepareListApiKeys(options, this.limits);
    return this.#apiKeys.list(namespace, first, after);
  }

  async revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    this.#open();
    const { namespace, id } = prepareRevokeApiKey(options, this.limits);
    if (!this.#apiKeys.revoke(namespace, id, this.now())) return false;
    this.changes.publish({ type: 'api-key-revoked', keyId: id });
    return true;
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#namespaces.clear();
  }

  #open(): void {
    if (this.#closed) throw new StorageUnavailable('storage closed');
  }

  #namespace(namespace: string): NamespaceData {
    let data = this.#namespaces.get(namespace);
    if (!data) this.#namespaces.set(namespace, (data = { threads: new Map(), checkpoints: new Map(), pointers: new Map() }));
    return data;
  }

  /** The stored entries with seq from..from+count-1 (the caller keeps from ≥ firstSeq). */
  #slice(record: ThreadRecord, from: number, count: number): Entry[] {
    return record.entries.slice(from - record.base, from - record.base + count);
  }

  /** Trims to `beforeSeq` (> firstSeq, checked by the caller); returns how many entries it dropped. */
  #drop(record: ThreadRecord, beforeSeq: number): number {
    const dropped = beforeSeq - record.head.firstSeq;
    record.head.firstSeq = beforeSeq;
    const dead = beforeSeq - record.base;
    if (dead >= record.entries.length - dead) {
      record.entries = record.entries.slice(dead);
      record.base = beforeSeq;
    }
    return dropped;
  }

  /** Applies the thread's policy at `now` (a sweep or a policy change); returns entries dropped. */
  #applyPolicy(data: NamespaceData, namespace: string, record: ThreadRecord, now: Date): number {
    const target = policyTarget(record.head, now, storedFrom(record), this.#lowestPointer(data, record)?.rev ?? null);
    if (target === null) return 0;
    const dropped = this.#drop(record, target);
    record.head.updatedAt = now.toISOString();
    this.#publishTrim(namespace, record);
    return dropped;
  }

  #publishTrim(namespace: string, record: ThreadRecord): void {
    this.changes.publish({ type: 'thread-trimmed', namespace, threadId: record.head.id, firstSeq: record.head.firstSeq });
  }

  /** The lowest pointer of a checkpoint naming this life of the thread (older lives do not hold entries back). */
  #lowestPointer(data: NamespaceData, record: ThreadRecord): PointerHolder | null {
    const holders = data.pointers.get(record.head.id);
    if (!holders) return null;
    return lowestPointerAtLife(holders.values(), record.head.life);
  }

  #indexPointer(data: NamespaceData, key: string, checkpoint: Checkpoint): void {
    if (!checkpoint.thread) return;
    let holders = data.pointers.get(checkpoint.thread.id);
    if (!holders) data.pointers.set(checkpoint.thread.id, (holders = new Map()));
    holders.set(key, {
      agentType: checkpoint.agentType,
      agentId: checkpoint.agentId,
      rev: checkpoint.thread.rev,
      life: checkpoint.thread.life,
    });
  }

  #unindexPointer(data: NamespaceData, key: string, checkpoint: Checkpoint | null): void {
    if (!checkpoint?.thread) return;
    const holders = data.pointers.get(checkpoint.thread.id);
    holders?.delete(key);
    if (holders?.size === 0) data.pointers.delete(checkpoint.thread.id);
  }
}
