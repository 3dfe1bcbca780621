import { prepareAppend } from '../../domain/append.js';
import { preparePutCheckpoint } from '../../domain/checkpoint.js';
import { StorageUnavailable } from '../../domain/errors.js';
import { prepareSetRetention, prepareSweep, prepareTrim } from '../../domain/retention.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
import { withTimeout } from '../../util/with-timeout.js';
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
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
import * as apiKeys from './api-keys.js';
import type { RedisChangeFeed } from './change-feed.js';
import * as checkpoints from './checkpoints.js';
import { toStorageError } from './connection.js';
import { publishCommand, type RedisStorageParts } from './parts.js';
import * as retention from './retention.js';
import * as threads from './threads.js';

/**
 * The Redis adapter; built by createRedisStorage (index.ts), which documents its promises. Each
 * call validates its input, then delegates to threads.ts or checkpoints.ts under one guard: the
 * closed check, the `commandTimeoutMs` deadline and the error mapping.
 */
export class RedisStorage implements Storage {
  readonly kind = 'redis';
  readonly changes: RedisChangeFeed;
  readonly #parts: RedisStorageParts;
  #closed = false;

  constructor(parts: RedisStorageParts) {
    this.#parts = parts;
    this.changes = parts.changes;
  }

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    return this.#guard(() => checkpoints.getCheckpoint(this.#parts, prepareCheckpointKey(options, this.#parts.limits)));
  }

  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    return this.#guard(() => checkpoints.putCheckpoint(this.#parts, preparePutCheckpoint(options, this.#parts.limits)));
  }

  deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    return this.#guard(() => checkpoints.deleteCheckpoint(this.#parts, prepareCheckpointKey(options, this.#parts.limits)));
  }

  listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    return this.#guard(() => checkpoints.listCheckpoints(this.#parts, prepareListCheckpoints(options, this.#parts.limits)));
  }

  appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    return this.#guard(() => {
      const now = this.#parts.now();
      return threads.appendEntries(this.#parts, prepareAppend(options, this.#parts.limits, now), now);
    });
  }

  readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    return this.#guard(() => {
      const { fromSeq, limit, ...key } = prepareReadEntries(options, this.#parts.limits);
      return threads.readEntries(this.#parts, key, fromSeq, limit);
    });
  }

  readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    return this.#guard(() => {
      const { limit, ...key } = prepareReadTail(options, this.#parts.limits);
      return threads.readTail(this.#parts, key, limit);
    });
  }

  getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    return this.#guard(() => threads.getThread(this.#parts, prepareThreadKey(options, this.#parts.limits)));
  }

  deleteThread(options: ThreadOptions): Promise<boolean> {
    return this.#guard(() => threads.deleteThread(this.#parts, prepareThreadKey(options, this.#parts.limits)));
  }

  trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    return this.#guard(() => retention.trimThread(this.#parts, prepareTrim(options, this.#parts.limits)));
  }

  /** Several round trips (index, policy runs of a bounded walk each, index re-check): each has its own deadline. */
  setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead> {
    return this.#steps((step) => retention.setThreadRetention(this.#parts, prepareSetRetention(options, this.#parts.limits), step));
  }

  /** Runs as long as the work takes; each step (lease, index page, one thread) has its own deadline. */
  sweepRetention(options: SweepRetentionOptions = {}): Promise<SweepRetentionResult> {
    let now: Date;
    try {
      now = prepareSweep(options, this.#parts.now);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#steps((step) => retention.sweepRetention(this.#parts, now, step));
  }

  /**
   * The namespaces holding a thread, a checkpoint or an API key (for export), sorted. SCANs the
   * key space (every master on a Cluster) for the per-namespace index keys: cost grows with the
   * number of keys, so it is for operations tools, never for a request path.
   */
  namespaces(): Promise<string[]> {
    return this.#steps(async () => {
      const found = new Set<string>();
      for (const pattern of this.#parts.keys.namespaceKeyPatterns()) {
        for (const key of await this.#parts.connection.scanKeys(pattern)) {
          const namespace = this.#parts.keys.namespaceOf(key);
          if (namespace !== null) found.add(namespace);
        }
      }
      return [...found].sort();
    });
  }

  listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    return this.#guard(() => threads.listThreads(this.#parts, prepareListThreads(options, this.#parts.limits)));
  }

  createApiKey(record: ApiKeyRecord): Promise<void> {
    return this.#guard(() => apiKeys.createApiKey(this.#parts, prepareApiKeyRecord(record, this.#parts.limits)));
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.#guard(async () => (typeof id === 'string' && id !== '' ? apiKeys.getApiKey(this.#parts, id) : null));
  }

  listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    return this.#guard(() => {
      const { namespace, first, after } = prepareListApiKeys(options, this.#parts.limits);
      return apiKeys.listApiKeys(this.#parts, namespace, first, after);
    });
  }

  revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    return this.#guard(() => {
      const { namespace, id } = prepareRevokeApiKey(options, this.#parts.limits);
      return apiKeys.revokeApiKey(this.#parts, namespace, id, this.#parts.now(), publishCommand(this.#parts));
    });
  }

  ping(): Promise<void> {
    return this.#guard(() => this.#parts.connection.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.changes.close();
    await this.#parts.connection.close();
  }

  /** Runs a call of several steps, each under {@link #guard}; closed check and error mapping for the whole. */
  async #steps<T>(call: (step: retention.Step) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    try {
      return await call((step) => this.#guard(step));
    } catch (error) {
      throw toStorageError(error);
    }
  }

  /** Runs one call: closed check, the deadline, and the error mapping. */
  async #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    const ms = this.#parts.commandTimeoutMs;
    try {
      return await withTimeout(call(), ms, () => new StorageUnavailable(`redis did not answer within ${ms} ms`));
    } catch (error) {
      throw toStorageError(error);
    }
  }
}
