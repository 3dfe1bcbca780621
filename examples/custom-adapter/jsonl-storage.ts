import {
  ApiKeyTable,
  assignSeqs,
  checkExpectedRev,
  checkPutCheckpoint,
  checkTrim,
  compareCheckpointKeys,
  DEFAULT_LIMITS,
  isReplayOf,
  LocalChangeFeed,
  maxEntriesTarget,
  newThreadLife,
  nextCheckpoint,
  policyTarget,
  prepareAppend,
  prepareApiKeyRecord,
  prepareCheckpointKey,
  prepareListApiKeys,
  prepareListCheckpoints,
  prepareListThreads,
  preparePutCheckpoint,
  prepareReadEntries,
  prepareReadTail,
  prepareRevokeApiKey,
  prepareSetRetention,
  prepareThreadKey,
  prepareSweep,
  prepareTrim,
  requireThread,
  RevisionConflict,
  StorageUnavailable,
  type ApiKeyRecord,
  type AppendEntriesOptions,
  type AppendEntriesResult,
  type Checkpoint,
  type Entry,
  type GetCheckpointOptions,
  type Limits,
  type ListApiKeysOptions,
  type ListCheckpointsOptions,
  type ListThreadsOptions,
  type Page,
  type PutCheckpointOptions,
  type ReadEntriesOptions,
  type ReadTailOptions,
  type RevokeApiKeyOptions,
  type SetThreadRetentionOptions,
  type Storage,
  type SweepRetentionOptions,
  type SweepRetentionResult,
  type ThreadHead,
  type ThreadOptions,
  type TrimThreadOptions,
  type TrimThreadResult,
} from 'cryo/storage';
import { LogFile } from './log-file.js';
import { StoreState, type LogRecord, type ThreadRecord } from './state.js';

/** Options of {@link createJsonlStorage}. */
export interface JsonlStorageOptions {
  /** The log file (created when missing; its directory must exist). */
  path: string;
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits> | undefined;
}

/**
 * A Storage kept in one JSON-lines file (examples/custom-adapter/README.md): every write is one
 * line, fsynced before the call returns; the whole store lives in memory and is rebuilt from the
 * file at open, which also compacts the file (trimmed entries and overwritten records go).
 * Writes are serialized (one at a time, in call order), which makes each one atomic and
 * linearizable; reads never wait. One process per file. Not promised: stores larger than memory,
 * fast opening of a large log, checksums.
 */
export async function createJsonlStorage(options: JsonlStorageOptions): Promise<Storage> {
  const { log, lines } = await LogFile.open(options.path);
  try {
    const state = new StoreState();
    for (const line of lines) state.apply(line as LogRecord);
    // Compaction: a log holding more records than the state needs (appends, trims, overwrites,
    // deletes since the last open) is replaced by a snapshot; trimmed entries leave the disk here.
    const snapshot = state.snapshot();
    if (snapshot.length < lines.length) await log.rewrite(snapshot);
    return new JsonlStorage(log, state, { ...DEFAULT_LIMITS, ...options.limits });
  } catch (error) {
    await log.close();
    throw error;
  }
}

/** A deep copy of stored JSON data, so callers never share objects with the store. */
const copy = <T>(value: T): T => structuredClone(value);

class JsonlStorage implements Storage {
  readonly kind = 'jsonl';
  readonly changes = new LocalChangeFeed();
  /** The tail of the write queue: each write starts when the previous one settled. */
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    readonly log: LogFile,
    readonly state: StoreState,
    readonly limits: Limits,
  ) {}

  // --- checkpoints -------------------------------------------------------------------------

  async getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    this.#open();
    const key = prepareCheckpointKey(options, this.limits);
    const stored = this.state.checkpoint(key.namespace, key.agentType, key.agentId);
    return stored ? copy(stored) : null;
  }

  async putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    this.#open();
    const put = copy(preparePutCheckpoint(options, this.limits)); // captured now, as in appendEntries
    return this.#write(async () => {
      const current = this.state.checkpoint(put.namespace, put.agentType, put.agentId) ?? null;
      const thread = put.thread ? (this.state.thread(put.namespace, put.thread.id)?.head ?? null) : null;
      if (checkPutCheckpoint(put, current, thread) === 'replay') return copy(current!);
      const checkpoint = nextCheckpoint(put, current, thread, new Date());
      await this.#commit({ op: 'checkpoint', ns: put.namespace, checkpoint });
      this.changes.publish({ type: 'checkpoint-saved', namespace: put.namespace, agentType: put.agentType, agentId: put.agentId, rev: checkpoint.rev });
      return copy(this.state.checkpoint(put.namespace, put.agentType, put.agentId)!);
    });
  }

  async deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    this.#open();
    const { namespace, agentType, agentId } = prepareCheckpointKey(options, this.limits);
    return this.#write(async () => {
      if (!this.state.checkpoint(namespace, agentType, agentId)) return false;
      await this.#commit({ op: 'delete-checkpoint', ns: namespace, agentType, agentId });
      this.changes.publish({ type: 'checkpoint-deleted', namespace, agentType, agentId });
      return true;
    });
  }

  async listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    this.#open();
    const { namespace, agentType, first, after } = prepareListCheckpoints(options, this.limits);
    const all = [...(this.state.namespaces.get(namespace)?.checkpoints.values() ?? [])]
      .filter((c) => (agentType === null || c.agentType === agentType) && (!after || compareCheckpointKeys(c, after) > 0))
      .sort(compareCheckpointKeys);
    return { items: all.slice(0, first).map(copy), hasMore: all.length > first };
  }

  // --- threads -----------------------------------------------------------------------------

  async appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    this.#open();
    const now = new Date();
    // Captured now: the caller may change its objects while the write waits in the queue.
    const append = copy(prepareAppend(options, this.limits, now));
    return this.#write(async () => {
      const thread = this.state.thread(append.namespace, append.threadId);
      const currentRev = thread?.head.rev ?? append.startSeq;
      const decision = checkExpectedRev(append, currentRev);
      if (decision instanceof RevisionConflict) throw decision;
      if (decision === 'check-replay' && append.expectedRev !== undefined) {
        // A retry whose reply was lost: the same ids already stored at expectedRev… (trimmed ones cannot be recognised).
        const stored = !thread || append.expectedRev < thread.head.firstSeq ? [] : this.#slice(thread, append.expectedRev, append.entries.length);
        if (!isReplayOf(append, stored.map((e) => e.id))) {
          throw new RevisionConflict(append.expectedRev, currentRev, `thread ${JSON.stringify(append.threadId)}`);
        }
        return { thread: copy(thread!.head), entries: copy(stored), replayed: true };
      }
      const at = now.toISOString();
      const entries = assignSeqs(append.threadId, append.entries, currentRev);
      const head: ThreadHead = thread
        ? { ...thread.head, rev: currentRev + entries.length, updatedAt: at }
        : {
            id: append.threadId,
            rev: currentRev + entries.length,
            firstSeq: currentRev,
            life: newThreadLife(),
            retention: append.retention,
            metadata: append.metadata,
            createdAt: at,
            updatedAt: at,
          };
      // A maxEntries policy trims inside the append (same record), never past a checkpoint's pointer.
      const trimTo = maxEntriesTarget(head, head.retention, this.state.lowestPointer(append.namespace, head)?.rev ?? null);
      if (trimTo !== null) head.firstSeq = trimTo;
      await this.#commit({ op: 'append', ns: append.namespace, head, entries });
      this.changes.publish({ type: 'thread-appended', namespace: append.namespace, threadId: append.threadId, rev: head.rev });
      return { thread: copy(this.state.thread(append.namespace, append.threadId)!.head), entries: copy(entries), replayed: false };
    });
  }

  async readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    this.#open();
    const { namespace, threadId, fromSeq, limit } = prepareReadEntries(options, this.limits);
    const thread = this.state.thread(namespace, threadId);
    if (!thread) return [];
    const from = Math.max(fromSeq, thread.head.firstSeq);
    return copy(this.#slice(thread, from, Math.min(limit, thread.head.rev - from)));
  }

  async readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    this.#open();
    const { namespace, threadId, limit } = prepareReadTail(options, this.limits);
    const thread = this.state.thread(namespace, threadId);
    if (!thread) return { thread: null, entries: [] };
    const start = Math.max(thread.head.firstSeq, thread.head.rev - limit);
    return { thread: copy(thread.head), entries: copy(this.#slice(thread, start, thread.head.rev - start)) };
  }

  async getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    this.#open();
    const { namespace, threadId } = prepareThreadKey(options, this.limits);
    const thread = this.state.thread(namespace, threadId);
    return thread ? copy(thread.head) : null;
  }

  async deleteThread(options: ThreadOptions): Promise<boolean> {
    this.#open();
    const { namespace, threadId } = prepareThreadKey(options, this.limits);
    return this.#write(async () => {
      if (!this.state.thread(namespace, threadId)) return false;
      await this.#commit({ op: 'delete-thread', ns: namespace, threadId });
      this.changes.publish({ type: 'thread-deleted', namespace, threadId });
      return true;
    });
  }

  async listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    this.#open();
    const { namespace, first, after } = prepareListThreads(options, this.limits);
    const threads = this.state.namespaces.get(namespace)?.threads;
    const ids = [...(threads?.keys() ?? [])].filter((id) => after === null || id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { items: ids.slice(0, first).map((id) => copy(threads!.get(id)!.head)), hasMore: ids.length > first };
  }

  // --- retention ---------------------------------------------------------------------------

  async trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    this.#open();
    const trim = prepareTrim(options, this.limits);
    return this.#write(async () => {
      const head = this.state.thread(trim.namespace, trim.threadId)?.head ?? null;
      const lowest = head ? this.state.lowestPointer(trim.namespace, head) : null;
      if (checkTrim(trim, head, lowest) === 'noop') return { thread: copy(head!), dropped: 0 };
      const next = { ...head!, firstSeq: trim.beforeSeq, updatedAt: new Date().toISOString() };
      await this.#commitTrim(trim.namespace, next);
      return { thread: copy(next), dropped: trim.beforeSeq - head!.firstSeq };
    });
  }

  async setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead> {
    this.#open();
    const set = prepareSetRetention(options, this.limits);
    return this.#write(async () => {
      const thread = requireThread(this.state.thread(set.namespace, set.threadId), set.threadId);
      const now = new Date();
      const head: ThreadHead = { ...thread.head, retention: set.retention, updatedAt: now.toISOString() };
      // The new policy applies at once, as far as the checkpoint rule allows: one record for both.
      const target = policyTarget(head, now, thread.entries, this.state.lowestPointer(set.namespace, head)?.rev ?? null);
      if (target === null) await this.#commit({ op: 'head', ns: set.namespace, head });
      else await this.#commitTrim(set.namespace, { ...head, firstSeq: target });
      return copy(this.state.thread(set.namespace, set.threadId)!.head);
    });
  }

  async sweepRetention(options: SweepRetentionOptions = {}): Promise<SweepRetentionResult> {
    this.#open();
    const now = prepareSweep(options, () => new Date());
    let trimmedThreads = 0;
    let dropped = 0;
    const candidates: [string, string][] = [];
    for (const [ns, data] of this.state.namespaces) {
      for (const [id, thread] of data.threads) if (thread.head.retention) candidates.push([ns, id]);
    }
    // One write per thread: appends to other threads wait for at most one thread's trim.
    for (const [ns, id] of candidates) {
      const n = await this.#write(async () => {
        const thread = this.state.thread(ns, id);
        if (!thread?.head.retention) return 0;
        const target = policyTarget(thread.head, now, thread.entries, this.state.lowestPointer(ns, thread.head)?.rev ?? null);
        if (target === null) return 0;
        const before = thread.head.firstSeq;
        await this.#commitTrim(ns, { ...thread.head, firstSeq: target, updatedAt: now.toISOString() });
        return target - before;
      });
      if (n > 0) {
        trimmedThreads++;
        dropped += n;
      }
    }
    // One process per file: there is no other sweeper to lease against.
    return { skipped: false, trimmedThreads, dropped };
  }

  // --- API keys ----------------------------------------------------------------------------

  async createApiKey(record: ApiKeyRecord): Promise<void> {
    this.#open();
    const prepared = prepareApiKeyRecord(record, this.limits);
    await this.#write(async () => {
      new ApiKeyTable(this.state.apiKeys.values()).add(prepared); // ValidationError when the id is taken
      await this.#commit({ op: 'api-key', record: prepared });
    });
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    this.#open();
    const record = typeof id === 'string' ? this.state.apiKeys.get(id) : undefined;
    return record ? copy(record) : null;
  }

  async listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    this.#open();
    const { namespace, first, after } = prepareListApiKeys(options, this.limits);
    return new ApiKeyTable(this.state.apiKeys.values()).list(namespace, first, after);
  }

  async revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    this.#open();
    const { namespace, id } = prepareRevokeApiKey(options, this.limits);
    return this.#write(async () => {
      const record = this.state.apiKeys.get(id);
      if (!record || record.namespace !== namespace || record.revokedAt !== null) return false;
      await this.#commit({ op: 'api-key', record: { ...record, revokedAt: new Date().toISOString() } });
      this.changes.publish({ type: 'api-key-revoked', keyId: id });
      return true;
    });
  }

  /**
   * The namespaces holding at least one thread or checkpoint. Not part of Storage: `cryo export`
   * and `cryo verify` use it, when present, to cover every namespace without `--namespace`.
   */
  async namespaces(): Promise<string[]> {
    this.#open();
    return [...this.state.namespaces].filter(([, data]) => data.threads.size > 0 || data.checkpoints.size > 0).map(([ns]) => ns);
  }

  // --- lifecycle ---------------------------------------------------------------------------

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes.catch(() => undefined);
    await this.log.close();
  }

  #open(): void {
    if (this.#closed) throw new StorageUnavailable('storage closed');
  }

  /** Runs `write` after every write queued before it (check, log, apply: nothing interleaves). */
  #write<T>(write: () => Promise<T>): Promise<T> {
    const result = this.#writes.then(() => {
      this.#open();
      return write();
    });
    this.#writes = result.catch(() => undefined);
    return result;
  }

  /** Makes a record durable, then applies a parsed copy of it (so the state shares nothing with callers). */
  async #commit(record: LogRecord): Promise<void> {
    await this.log.append(record);
    this.state.apply(structuredClone(record));
  }

  async #commitTrim(ns: string, head: ThreadHead): Promise<void> {
    await this.#commit({ op: 'head', ns, head });
    this.changes.publish({ type: 'thread-trimmed', namespace: ns, threadId: head.id, firstSeq: head.firstSeq });
  }

  /** The held entries with seq from … from + count - 1 (the caller keeps from ≥ firstSeq). */
  #slice(thread: ThreadRecord, from: number, count: number): Entry[] {
    const offset = from - thread.head.firstSeq;
    return thread.entries.slice(offset, offset + count);
  }
}
