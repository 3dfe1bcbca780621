import { constants } from 'node:fs';
import { access, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareAppend } from '../../domain/append.js';
import { preparePutCheckpoint } from '../../domain/checkpoint.js';
import { prepareSetRetention, prepareSweep, prepareTrim } from '../../domain/retention.js';
import { StorageUnavailable } from '../../domain/errors.js';
import type { Limits } from '../../domain/limits.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
import type { LocalChangeFeed } from '../local-change-feed.js';
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
  SweepRetentionOptions,
  SweepRetentionResult,
  ThreadOptions,
  TrimThreadOptions,
  TrimThreadResult,
} from '../types.js';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
import type { FileApiKeys } from './api-key-file.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DirLock } from './dir-lock.js';
import type { FileDurability } from './durability.js';
import type { GroupCommit, GroupCommitStats } from './group-commit.js';
import type { HandlePool } from './handle-pool.js';
import { THREADS_DIR } from './names.js';
import type { RecoveryReport } from './recovery.js';
import type { ThreadStore } from './thread-store.js';
import type { FileStorage, FileStorageStats } from './types.js';
import type { WriteAheadLog } from './wal.js';

/** What an open file storage holds and releases on close. */
export interface Resources {
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

/**
 * The file adapter's Storage, over an opened directory (open.ts): validates each call, then
 * delegates to the thread and checkpoint stores; close waits for calls in flight.
 */
export class FileStorageImpl implements FileStorage {
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
      ...this.threads.compactionStats,
    };
  }

  namespaces(): Promise<string[]> {
    return this.#run(async () => [...new Set([...this.threads.namespaces(), ...this.checkpoints.namespaces()])]);
  }

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    return this.#run(() => this.checkpoints.get(prepareCheckpointKey(options, this.limits)));
  }

  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    return this.#run(() => {
      const put = preparePutCheckpoint(options, this.limits);
      return this.checkpoints.put(put, (threadId) => this.threads.durableHead({ namespace: put.namespace, threadId }));
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

  trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    return this.#run(() => this.threads.trim(prepareTrim(options, this.limits), this.now().toISOString()));
  }

  setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead> {
    return this.#run(() => this.threads.setRetention(prepareSetRetention(options, this.limits), this.now()));
  }

  sweepRetention(options: SweepRetentionOptions = {}): Promise<SweepRetentionResult> {
    return this.#run(() => this.threads.sweep(prepareSweep(options, () => this.now())));
  }

  /** Resolves once every compaction scheduled so far (by trims and policies) is done. */
  compactions(): Promise<void> {
    return this.#run(() => this.threads.compactions());
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
