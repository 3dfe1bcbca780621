import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { prepareAppend } from '../../domain/append.js';
import { preparePutCheckpoint } from '../../domain/checkpoint.js';
import { isCryoError, StorageUnavailable } from '../../domain/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../domain/limits.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
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
  Storage,
  ThreadOptions,
} from '../types.js';
import { FileApiKeys } from './api-key-file.js';
import { CheckpointStore } from './checkpoint-store.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { defaultFileIo, type FileIo } from './file-io.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';
import { HandlePool } from './handle-pool.js';
import { CHECKPOINTS_DIR, FORMAT_FILE, LOCK_FILE, THREADS_DIR } from './names.js';
import { emptyRecoveryReport, type RecoveryReport } from './recovery.js';
import { ThreadStore } from './thread-store.js';
import { WriteAheadLog } from './wal.js';
import { replayWal } from './wal-replay.js';

export type { RecoveryReport, Problem } from './recovery.js';
export type { WalReplayReport } from './wal-replay.js';
export type { FileIo } from './file-io.js';

/** Options of {@link createFileStorage}. */
export interface FileStorageOptions {
  /** The data directory; created when missing. */
  directory: string;
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
  /**
   * Refuse to open when any file is damaged (instead of refusing only the damaged thread or
   * checkpoint). @default false
   */
  strict?: boolean;
  /** Idle journal handles kept open. @default 256 */
  maxOpenFiles?: number;
  /** File operations, for fault-injection tests only. @default the real ones */
  io?: Partial<FileIo>;
  /**
   * How an append is made durable before it is acknowledged. `'wal'`: written to the thread's
   * journal and to one shared write-ahead log, and the LOG is flushed, so concurrent appends
   * on any threads share one fdatasync; journals are flushed at log checkpoints.
   * `'per-thread-fsync'`: each journal is flushed itself (appends share a flush only on the same
   * thread). Either mode replays a log left by a crash. @default 'wal'
   */
  durability?: FileDurability;
  /** `'wal'` only: checkpoint (flush the journals, empty the log) once the log is this long. @default 64 MiB */
  walMaxBytes?: number;
  /** Operations on the write-ahead log, for fault-injection tests only. @default the real ones */
  walIo?: Partial<FileIo>;
}

/** See {@link FileStorageOptions.durability}. */
export type FileDurability = 'wal' | 'per-thread-fsync';

/** The durability mode used when none is given. */
export const DEFAULT_FILE_DURABILITY: FileDurability = 'wal';

/** Counters for benchmarks and tests (flush counters include the log's and the checkpoints' flushes). */
export interface FileStorageStats extends GroupCommitStats {
  /** Appends acknowledged (durable), replays excluded. */
  appends: number;
  durability: FileDurability;
  /** Log checkpoints completed (always 0 with `'per-thread-fsync'`). */
  walCheckpoints: number;
}

/** The file Storage, with its recovery report and counters. */
export interface FileStorage extends Storage {
  readonly kind: 'file';
  readonly directory: string;
  /** What opening repaired (torn tails cut, empty journals removed) or refused (damaged files). */
  readonly recovery: RecoveryReport;
  /** Appends, flush rounds and flush calls so far. */
  stats(): FileStorageStats;
}

const FORMAT = 'cryo-file 1\n';

/**
 * Opens (creating when needed) a durable, single-process Storage in `directory`: takes the
 * directory lock, replays a write-ahead log left by a crash, scans every journal and checkpoint
 * key once to rebuild the in-memory heads, offset indexes and listings (startup time grows with
 * the data), cutting torn tails. An append is acknowledged only after its records are flushed:
 * by default through the shared write-ahead log, one flush per round for all threads (see
 * `durability`); checkpoints are replaced atomically. See src/storage/file/README.md for what it does NOT promise (several processes,
 * network filesystems, disk-full recovery without reopen).
 */
export async function createFileStorage(options: FileStorageOptions): Promise<FileStorage> {
  const directory = resolve(options.directory);
  try {
    return await openFileStorage(directory, options);
  } catch (error) {
    if (isCryoError(error)) throw error;
    throw new StorageUnavailable(`cannot open file storage ${directory}: ${(error as Error).message}`, { cause: error });
  }
}

async function openFileStorage(directory: string, options: FileStorageOptions): Promise<FileStorage> {
  await mkdir(directory, { recursive: true });
  const lock = await acquireDirLock(directory);
  const handles: FileHandle[] = [];
  let wal: WriteAheadLog | null = null;
  try {
    await checkFormat(directory);
    await mkdir(join(directory, THREADS_DIR), { recursive: true });
    await mkdir(join(directory, CHECKPOINTS_DIR), { recursive: true });
    const io: FileIo = { ...defaultFileIo, ...options.io };
    const commit = new GroupCommit(io);
    const threadsDir = await open(join(directory, THREADS_DIR), 'r');
    handles.push(threadsDir);
    const checkpointsDir = await open(join(directory, CHECKPOINTS_DIR), 'r');
    handles.push(checkpointsDir);
    const recovery = emptyRecoveryReport();
    const dataDir = await open(directory, 'r');
    handles.push(dataDir);
    const replayed = await replayWal(directory, dataDir, threadsDir, join(directory, THREADS_DIR));
    if (replayed.report) recovery.wal = replayed.report;
    const durability = options.durability ?? DEFAULT_FILE_DURABILITY;
    const pool = new HandlePool(options.maxOpenFiles ?? 256);
    let walCommit: GroupCommit | null = null;
    if (durability === 'wal') {
      const walIo: FileIo = { ...defaultFileIo, ...options.walIo };
      walCommit = new GroupCommit(walIo);
      const maxBytes = options.walMaxBytes ?? 64 * 1024 * 1024;
      const walContext = { directory, dataDir, io: walIo, commit: walCommit, threadCommit: commit, threadsDir, maxBytes };
      wal = await WriteAheadLog.create(walContext, replayed.nextGeneration);
    }
    await syncDirectory(directory);
    const changes = new LocalChangeFeed();
    const now = options.now ?? (() => new Date());
    const threads = new ThreadStore(join(directory, THREADS_DIR), { pool, commit, io, dir: threadsDir, wal }, changes);
    const checkpoints = new CheckpointStore(join(directory, CHECKPOINTS_DIR), checkpointsDir, commit, io, changes, now);
    await threads.load(recovery, options.strict ?? false);
    await checkpoints.load(recovery, options.strict ?? false);
    const apiKeys = await FileApiKeys.load(directory, changes);
    return new FileStorageImpl(directory, { ...DEFAULT_LIMITS, ...options.limits }, now, changes, threads, checkpoints, {
      lock,
      pool,
      commit,
      walCommit,
      wal,
      durability,
      handles,
      recovery,
      apiKeys,
    });
  } catch (error) {
    await wal?.close().catch(() => {});
    await Promise.all(handles.map((h) => h.close().catch(() => {})));
    await lock.release();
    throw error;
  }
}

async function checkFormat(directory: string): Promise<void> {
  const path = join(directory, FORMAT_FILE);
  let found: string;
  try {
    found = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const foreign = (await readdir(directory)).filter((name) => !name.startsWith(LOCK_FILE));
    if (foreign.length > 0) {
      throw new StorageUnavailable(
        `${directory} is not empty and not a Cryo file storage (no ${FORMAT_FILE} file; found ${foreign.slice(0, 3).join(', ')}): ` +
          'use an empty or new directory',
      );
    }
    await writeFile(path, FORMAT, { flush: true });
    return;
  }
  if (found !== FORMAT) {
    throw new StorageUnavailable(`${directory} is not a Cryo file storage of this version (${path} says ${JSON.stringify(found.trim())})`);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Resources {
  lock: DirLock;
  pool: HandlePool;
  commit: GroupCommit;
  walCommit: GroupCommit | null;
  wal: WriteAheadLog | null;
  durability: FileDurability;
  handles: FileHandle[];
  recovery: RecoveryReport;
  apiKeys: FileApiKeys;
}

class FileStorageImpl implements FileStorage {
  readonly kind = 'file';
  readonly recovery: RecoveryReport;
  readonly #inFlight = new Set<Promise<unknown>>();
  #appends = 0;
  #closing: Promise<void> | null = null;

  constructor(
    readonly directory: string,
    readonly limits: Limits,
    readonly now: () => Date,
    readonly changes: LocalChangeFeed,
    readonly threads: ThreadStore,
    readonly checkpoints: CheckpointStore,
    readonly resources: Resources,
  ) {
    this.recovery = resources.recovery;
  }

  stats(): FileStorageStats {
    const { commit, walCommit, wal, durability } = this.resources;
    const sum = (k: keyof GroupCommitStats): number => commit.stats[k] + (walCommit?.stats[k] ?? 0);
    return {
      appends: this.#appends,
      requests: sum('requests'),
      rounds: sum('rounds'),
      syncCalls: sum('syncCalls'),
      durability,
      walCheckpoints: wal?.checkpoints ?? 0,
    };
  }

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    return this.#run(() => this.checkpoints.get(prepareCheckpointKey(options, this.limits)));
  }

  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    return this.#run(() => {
      const put = preparePutCheckpoint(options, this.limits);
      return this.checkpoints.put(put, (threadId) => this.threads.durableRev({ namespace: put.namespace, threadId }));
    });
  }

  deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    return this.#run(() => this.checkpoints.delete(prepareCheckpointKey(options, this.limits)));
  }

  listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    return this.#run(() => {
      const { namespace, agentType, first, after } = prepareListCheckpoints(options, this.limits);
      return this.checkpoints.list(namespace, agentType, first, after);
    });
  }

  appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    return this.#run(async () => {
      const now = this.now();
      const result = await this.threads.append(prepareAppend(options, this.limits, now), now);
      if (!result.replayed) this.#appends++;
      return result;
    });
  }

  readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    return this.#run(() => {
      const { fromSeq, limit, ...key } = prepareReadEntries(options, this.limits);
      return this.threads.readEntries(key, fromSeq, limit);
    });
  }

  readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    return this.#run(() => {
      const { limit, ...key } = prepareReadTail(options, this.limits);
      return this.threads.readTail(key, limit);
    });
  }

  getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    return this.#run(async () => this.threads.getThread(prepareThreadKey(options, this.limits)));
  }

  deleteThread(options: ThreadOptions): Promise<boolean> {
    return this.#run(() => this.threads.deleteThread(prepareThreadKey(options, this.limits)));
  }

  listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    return this.#run(async () => {
      const { namespace, first, after } = prepareListThreads(options, this.limits);
      return this.threads.listThreads(namespace, first, after);
    });
  }

  createApiKey(record: ApiKeyRecord): Promise<void> {
    return this.#run(() => this.resources.apiKeys.create(prepareApiKeyRecord(record, this.limits)));
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.#run(async () => (typeof id === 'string' ? this.resources.apiKeys.get(id) : null));
  }

  listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    return this.#run(async () => {
      const { namespace, first, after } = prepareListApiKeys(options, this.limits);
      return this.resources.apiKeys.list(namespace, first, after);
    });
  }

  revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    return this.#run(() => {
      const { namespace, id } = prepareRevokeApiKey(options, this.limits);
      return this.resources.apiKeys.revoke(namespace, id, this.now());
    });
  }

  /** Checks that the data directory is still there and readable. */
  ping(): Promise<void> {
    return this.#run(async () => {
      try {
        await access(join(this.directory, THREADS_DIR), constants.R_OK | constants.W_OK);
      } catch (error) {
        throw new StorageUnavailable(`file storage ${this.directory} is not accessible: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  /** Idempotent: refuses new calls, waits for calls in flight, then releases files and the lock. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      await this.threads.idle();
      await this.resources.apiKeys.idle();
      await this.resources.wal?.close();
      await this.resources.commit.idle();
      await this.resources.walCommit?.idle();
      await this.resources.pool.closeAll();
      await Promise.all(this.resources.handles.map((h) => h.close().catch(() => {})));
      await this.resources.lock.release();
    })();
    return this.#closing;
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new StorageUnavailable(`file storage ${this.directory} is closed`));
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#inFlight.add(promise);
    const done = (): void => void this.#inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }
}
