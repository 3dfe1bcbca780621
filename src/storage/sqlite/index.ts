import type { ApiKeyRecord } from '../../domain/api-key.js';
import { prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { prepareAppend } from '../../domain/append.js';
import { preparePutCheckpoint } from '../../domain/checkpoint.js';
import { InvalidThreadPointer, isCryoError, RevisionConflict, StorageUnavailable, ValidationError } from '../../domain/errors.js';
import { checkTrim, prepareSetRetention, prepareSweep, prepareTrim, requireThread, type PointerHolder } from '../../domain/retention.js';
import { DEFAULT_LIMITS, type Limits } from '../../domain/limits.js';
import type { Checkpoint, Entry } from '../../domain/types.js';
import { LocalChangeFeed } from '../local-change-feed.js';
import {
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
import { claimPath, type PathClaim } from './path-claim.js';
import { toAppendArgs, toCheckpoint, toEntry, toHead, type CheckpointRow, type EntryRow, type HeadRow, type SqliteThreadHead } from './rows.js';
import { WorkerClient } from './worker-client.js';

export type { SqliteThreadHead } from './rows.js';

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /** The database file; created (with its directory) when missing. */
  path: string;
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
}

/** Counters for benchmarks and tests. */
export interface SqliteStorageStats {
  /** Appends acknowledged (durable), replays excluded. */
  appends: number;
  /** Write requests (appends, deletes, checkpoint puts) handled by the worker, failed ones included. */
  writes: number;
  /** Transactions committed: one fsync of the WAL each (synchronous=FULL). */
  commits: number;
  /** Incremental vacuums run after rounds that freed many pages, and the pages they returned to the file system. */
  vacuums: number;
  vacuumedPages: number;
  /** False for a store created before schema 2 (auto_vacuum NONE): freed pages are reused, the file never shrinks. */
  incrementalVacuum: boolean;
  /**
   * The `entries` table: 'rowid' for stores created by this code (rows up to ~4 KB kept in their
   * page), 'without-rowid' for stores created before (rows above ~1 KB spill into an overflow page
   * of their own). Kept as found at open: see src/storage/sqlite/README.md, "Layout".
   */
  entriesLayout: 'rowid' | 'without-rowid';
}

/** The database file's pages, for benchmarks and tests. */
export interface SqliteSpace {
  pageSize: number;
  /** Pages in the database (file size / pageSize, once the WAL is checkpointed). */
  pages: number;
  /** Pages on SQLite's freelist: reused by later writes before the file grows. */
  freePages: number;
}

/** The SQLite Storage. */
export interface SqliteStorage extends Storage {
  readonly kind: 'sqlite';
  /** The database file, absolute. */
  readonly path: string;
  stats(): Promise<SqliteStorageStats>;
  /** Pages in use and free in the database (committed state). */
  space(): Promise<SqliteSpace>;
  /** The namespaces holding at least one thread or checkpoint, in no particular order (for migrations). */
  namespaces(): Promise<string[]>;
  /** The thread with its `life`. */
  getThread(options: ThreadOptions): Promise<SqliteThreadHead | null>;
}

/** What the worker returns instead of a value when a rule refused a write (nothing was written). */
interface Refusal {
  type: 'RevisionConflict' | 'InvalidThreadPointer' | 'TrimRefused' | 'NoThread';
  expectedRev?: number;
  actualRev?: number;
  threadId?: string;
  pointerRev?: number;
  storedRev?: number;
  reason?: 'ahead' | 'other-life' | 'trimmed';
  /** TrimRefused: the facts the worker decided on, for checkTrim. */
  head?: { rev: number; firstSeq: number } | null;
  lowest?: PointerHolder | null;
}

type WriteResult<T> = T | { error: Refusal };

/** A trim or a policy's application as the worker reports it. */
interface Dropped {
  head: HeadRow;
  dropped: number;
}

/** Threads a sweep asks the worker for at a time (one read each; then one write per thread). */
const SWEEP_PAGE = 256;

/**
 * Opens (creating when needed) a durable, single-process Storage in one SQLite database file
 * (WAL, synchronous=FULL), owned by a worker thread so its fsyncs never block the event loop.
 * Concurrent writes share one transaction and one commit per round (group commit); each append is
 * all-or-nothing and acknowledged only after that commit. Opening costs the same whatever the
 * size: nothing is loaded. Throws StorageUnavailable when another process (or this one) has the
 * file open, StorageCorrupted when it is not a readable database. See src/storage/sqlite/README.md
 * for what it does NOT promise (several processes, network filesystems, detecting every bit flip).
 */
export async function createSqliteStorage(options: SqliteStorageOptions): Promise<SqliteStorage> {
  const path = resolve(options.path);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new StorageUnavailable(`cannot create the directory of sqlite storage ${path}: ${(error as Error).message}`, { cause: error });
  }
  const claim = await claimPath(path);
  try {
    const worker = await WorkerClient.start(path);
    return new SqliteStorageImpl(path, { ...DEFAULT_LIMITS, ...options.limits }, options.now ?? (() => new Date()), worker, claim);
  } catch (error) {
    claim.release();
    if (isCryoError(error)) throw error;
    throw new StorageUnavailable(`cannot open sqlite storage ${path}: ${(error as Error).message}`, { cause: error });
  }
}

class SqliteStorageImpl implements SqliteStorage {
  readonly kind = 'sqlite';
  readonly changes = new LocalChangeFeed();
  #appends = 0;
  #closing: Promise<void> | null = null;
  #sweeping = false;

  constructor(
    readonly path: string,
    readonly limits: Limits,
    readonly now: () => Date,
    readonly worker: WorkerClient,
    readonly claim: PathClaim,
  ) {}

  async stats(): Promise<SqliteStorageStats> {
    const counts = await this.#call<Omit<SqliteStorageStats, 'appends'>>('stats');
    const { writes, commits, vacuums, vacuumedPages, incrementalVacuum, entriesLayout } = counts;
    return { appends: this.#appends, writes, commits, vacuums, vacuumedPages, incrementalVacuum, entriesLayout };
  }

  space(): Promise<SqliteSpace> {
    return this.#call<SqliteSpace>('space');
  }

  namespaces(): Promise<string[]> {
    return this.#call<string[]>('namespaces');
  }

  async getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    const key = prepareCheckpointKey(options, this.limits);
    const row = await this.#call<CheckpointRow | null>('getCheckpoint', key);
    return row ? toCheckpoint(row) : null;
  }

  async putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    const put = preparePutCheckpoint(options, this.limits);
    const args = {
      namespace: put.namespace,
      agentType: put.agentType,
      agentId: put.agentId,
      state: JSON.stringify(put.state),
      version: put.version,
      thread: put.thread ? { id: put.thread.id, rev: put.thread.rev, life: put.thread.life ?? null } : null,
      expectedRev: put.expectedRev ?? null,
      now: this.now().getTime(),
    };
    const result = this.#check(await this.#call<WriteResult<{ replayed: boolean; checkpoint: CheckpointRow }>>('putCheckpoint', args), `checkpoint ${put.agentType}/${put.agentId}`);
    const checkpoint = toCheckpoint(result.checkpoint);
    if (!result.replayed) {
      this.changes.publish({ type: 'checkpoint-saved', namespace: put.namespace, agentType: put.agentType, agentId: put.agentId, rev: checkpoint.rev });
    }
    return checkpoint;
  }

  async deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    const key = prepareCheckpointKey(options, this.limits);
    const deleted = await this.#call<boolean>('deleteCheckpoint', key);
    if (deleted) this.changes.publish({ type: 'checkpoint-deleted', ...key });
    return deleted;
  }

  async listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    const page = await this.#call<Page<CheckpointRow>>('listCheckpoints', prepareListCheckpoints(options, this.limits));
    return { items: page.items.map(toCheckpoint), hasMore: page.hasMore };
  }

  async appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    const now = this.now();
    const append = prepareAppend(options, this.limits, now);
    type Appended = { replayed: boolean; head: HeadRow; firstSeq?: number; stored?: EntryRow[] };
    const args = toAppendArgs(append, now);
    const result = this.#check(await this.#call<WriteResult<Appended>>('append', args), `thread ${JSON.stringify(append.threadId)}`);
    const thread = toHead(result.head);
    if (result.replayed) {
      return { thread, entries: (result.stored ?? []).map((row) => toEntry(append.threadId, row)), replayed: true };
    }
    this.#appends++;
    this.changes.publish({ type: 'thread-appended', namespace: append.namespace, threadId: append.threadId, rev: thread.rev });
    const firstSeq = result.firstSeq ?? 0;
    const entries = args.entries.map((row, i) => toEntry(append.threadId, { ...row, seq: firstSeq + i }));
    return { thread, entries, replayed: false };
  }

  async readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    const read = prepareReadEntries(options, this.limits);
    const rows = await this.#call<EntryRow[]>('readEntries', read);
    return rows.map((row) => toEntry(read.threadId, row));
  }

  async readTail(options: ReadTailOptions): Promise<{ thread: SqliteThreadHead | null; entries: Entry[] }> {
    const read = prepareReadTail(options, this.limits);
    const tail = await this.#call<{ thread: HeadRow | null; entries: EntryRow[] }>('readTail', read);
    return { thread: tail.thread ? toHead(tail.thread) : null, entries: tail.entries.map((row) => toEntry(read.threadId, row)) };
  }

  async getThread(options: ThreadOptions): Promise<SqliteThreadHead | null> {
    const row = await this.#call<HeadRow | null>('getThread', prepareThreadKey(options, this.limits));
    return row ? toHead(row) : null;
  }

  async deleteThread(options: ThreadOptions): Promise<boolean> {
    const key = prepareThreadKey(options, this.limits);
    const deleted = await this.#call<boolean>('deleteThread', key);
    if (deleted) this.changes.publish({ type: 'thread-deleted', ...key });
    return deleted;
  }

  async trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    const trim = prepareTrim(options, this.limits);
    const args = { ...trim, expectedRev: trim.expectedRev ?? null, now: this.now().getTime() };
    const reply = await this.#call<WriteResult<Dropped>>('trimThread', args);
    if ('error' in reply && reply.error.type === 'TrimRefused') {
      checkTrim(trim, reply.error.head ?? null, reply.error.lowest ?? null);
      throw new StorageUnavailable(`sqlite storage ${this.path}: the worker refused a trim the retention rules allow`);
    }
    const result = this.#check(reply, `thread ${JSON.stringify(trim.threadId)}`);
    const thread = toHead(result.head);
    if (result.dropped > 0) this.#publishTrim(trim.namespace, thread);
    return { thread, dropped: result.dropped };
  }

  async setThreadRetention(options: SetThreadRetentionOptions): Promise<SqliteThreadHead> {
    const set = prepareSetRetention(options, this.limits);
    const reply = await this.#call<WriteResult<Dropped>>('setRetention', { ...set, now: this.now().getTime() });
    if ('error' in reply && reply.error.type === 'NoThread') requireThread(null, set.threadId);
    const result = this.#check(reply, `thread ${JSON.stringify(set.threadId)}`);
    const thread = toHead(result.head);
    if (result.dropped > 0) this.#publishTrim(set.namespace, thread);
    return thread;
  }

  /**
   * Visits the threads with a policy page by page (a read), applying each one's policy in its own
   * write, so requests in between wait for at most one thread's trim. One sweep at a time per
   * store (one process owns the file): a call while another runs returns `skipped: true` at once.
   */
  async sweepRetention(options: SweepRetentionOptions = {}): Promise<SweepRetentionResult> {
    const at = prepareSweep(options, () => this.now());
    if (this.#sweeping) return { skipped: true, trimmedThreads: 0, dropped: 0 };
    this.#sweeping = true;
    let trimmedThreads = 0;
    let dropped = 0;
    try {
      let after: { namespace: string; threadId: string } | null = null;
      for (;;) {
        const page: { namespace: string; threadId: string }[] = await this.#call('threadsWithPolicy', { after, limit: SWEEP_PAGE });
        for (const thread of page) {
          const result = await this.#call<{ head: HeadRow | null; dropped: number }>('applyPolicy', { ...thread, now: at.getTime() });
          if (result.dropped === 0 || !result.head) continue;
          trimmedThreads++;
          dropped += result.dropped;
          this.#publishTrim(thread.namespace, toHead(result.head));
        }
        if (page.length < SWEEP_PAGE) break;
        after = page[page.length - 1]!;
      }
    } finally {
      this.#sweeping = false;
    }
    return { skipped: false, trimmedThreads, dropped };
  }

  async listThreads(options: ListThreadsOptions): Promise<Page<SqliteThreadHead>> {
    const page = await this.#call<Page<HeadRow>>('listThreads', prepareListThreads(options, this.limits));
    return { items: page.items.map(toHead), hasMore: page.hasMore };
  }

  async createApiKey(record: ApiKeyRecord): Promise<void> {
    const r = prepareApiKeyRecord(record, this.limits);
    if (!(await this.#call<boolean>('createApiKey', r))) throw new ValidationError('an API key with this id exists', 'id');
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return typeof id === 'string' ? this.#call<ApiKeyRecord | null>('getApiKey', { id }) : Promise.resolve(null);
  }

  listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    return this.#call<Page<ApiKeyRecord>>('listApiKeys', prepareListApiKeys(options, this.limits));
  }

  async revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    const { namespace, id } = prepareRevokeApiKey(options, this.limits);
    const revoked = await this.#call<boolean>('revokeApiKey', { namespace, id, at: this.now().toISOString() });
    if (revoked) this.changes.publish({ type: 'api-key-revoked', keyId: id });
    return revoked;
  }

  /** Asks the worker for a trivial read: fails when the database no longer answers. */
  async ping(): Promise<void> {
    await this.#call('ping');
  }

  /** Idempotent: refuses new calls, lets the worker finish what it was sent, closes the database. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.worker.close();
      this.claim.release();
    })();
    return this.#closing;
  }

  #call<T>(op: string, args: unknown = null): Promise<T> {
    if (this.#closing) return Promise.reject(new StorageUnavailable(`sqlite storage ${this.path} is closed`));
    return this.worker.call<T>(op, args);
  }

  #publishTrim(namespace: string, thread: SqliteThreadHead): void {
    this.changes.publish({ type: 'thread-trimmed', namespace, threadId: thread.id, firstSeq: thread.firstSeq });
  }

  #check<T extends object>(result: WriteResult<T>, subject: string): T {
    if (!('error' in result)) return result;
    const e = result.error;
    if (e.type === 'RevisionConflict') throw new RevisionConflict(e.expectedRev!, e.actualRev!, subject);
    if (e.type === 'InvalidThreadPointer') throw new InvalidThreadPointer(e.threadId!, e.pointerRev!, e.storedRev!, e.reason ?? 'ahead');
    throw new StorageUnavailable(`sqlite storage ${this.path}: unexpected refusal ${e.type} for ${subject}`);
  }
}
