import type pg from 'pg';
import { prepareAppend } from '../../domain/append.js';
import { preparePutCheckpoint } from '../../domain/checkpoint.js';
import { StorageUnavailable } from '../../domain/errors.js';
import type { Limits } from '../../domain/limits.js';
import { prepareSetRetention, prepareSweep, prepareTrim } from '../../domain/retention.js';
import type { Checkpoint, Entry, ThreadHead } from '../../domain/types.js';
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
import { AppendBatcher } from './append-batcher.js';
import * as apiKeys from './api-keys.js';
import type { PostgresChangeFeed } from './change-feed.js';
import { deleteCheckpoint, getCheckpoint, listCheckpoints, putCheckpoint } from './checkpoints.js';
import { encodeEntry } from './codec.js';
import { withClient } from './connection.js';
import * as retention from './retention.js';
import { deleteThread, getThread, listThreads, readEntries, readTail } from './threads.js';

/** What a PostgresStorage runs on. */
export interface PostgresParts {
  pool: pg.Pool;
  /** The schema name, unquoted (channel names, statement names). */
  schema: string;
  /** The schema name, quoted for SQL. */
  S: string;
  limits: Limits;
  timeoutMs: number;
  now: () => Date;
}

/** The Postgres adapter; built by createPostgresStorage (index.ts), which documents its promises. */
export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  readonly changes: PostgresChangeFeed;
  readonly #parts: PostgresParts;
  readonly #batcher: AppendBatcher;
  #closed = false;

  constructor(parts: PostgresParts, changes: PostgresChangeFeed) {
    this.#parts = parts;
    this.changes = changes;
    this.#batcher = new AppendBatcher(parts);
  }

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    return this.#run(() => {
      const key = prepareCheckpointKey(options, this.#parts.limits);
      return (c) => getCheckpoint(this.#parts, c, key);
    });
  }

  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    return this.#run(() => {
      const put = preparePutCheckpoint(options, this.#parts.limits);
      // Encoded before any wait: the caller may change its state object while this call is in flight.
      const state = JSON.stringify(put.state);
      return (c) => putCheckpoint(this.#parts, c, put, state);
    });
  }

  deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    return this.#run(() => {
      const key = prepareCheckpointKey(options, this.#parts.limits);
      return (c) => deleteCheckpoint(this.#parts, c, key);
    });
  }

  listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    return this.#run(() => {
      const key = prepareListCheckpoints(options, this.#parts.limits);
      return (c) => listCheckpoints(this.#parts, c, key);
    });
  }

  appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult & { thread: ThreadHead }> {
    return this.#call(() => {
      const now = this.#parts.now();
      const append = prepareAppend(options, this.#parts.limits, now);
      // Encoded before any wait: the caller may change its objects while this call is in flight.
      const bodies = append.entries.map(encodeEntry);
      return this.#batcher.submit(append, bodies, JSON.stringify(append.metadata), now);
    });
  }

  readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    return this.#run(() => {
      const key = prepareReadEntries(options, this.#parts.limits);
      return (c) => readEntries(this.#parts, c, key);
    });
  }

  readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    return this.#run(() => {
      const key = prepareReadTail(options, this.#parts.limits);
      return (c) => readTail(this.#parts, c, key);
    });
  }

  getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    return this.#run(() => {
      const key = prepareThreadKey(options, this.#parts.limits);
      return (c) => getThread(this.#parts, c, key);
    });
  }

  deleteThread(options: ThreadOptions): Promise<boolean> {
    return this.#run(() => {
      const key = prepareThreadKey(options, this.#parts.limits);
      return (c) => deleteThread(this.#parts, c, key);
    });
  }

  trimThread(options: TrimThreadOptions): Promise<TrimThreadResult> {
    return this.#run(() => {
      const trim = prepareTrim(options, this.#parts.limits);
      return (c) => retention.trimThread(this.#parts, c, trim);
    });
  }

  setThreadRetention(options: SetThreadRetentionOptions): Promise<ThreadHead> {
    return this.#call(async () => retention.setThreadRetention(this.#parts, prepareSetRetention(options, this.#parts.limits)));
  }

  sweepRetention(options?: SweepRetentionOptions): Promise<SweepRetentionResult> {
    return this.#call(async () => {
      const now = prepareSweep(options, this.#parts.now);
      return retention.sweepRetention(this.#parts, now);
    });
  }

  listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    return this.#run(() => {
      const key = prepareListThreads(options, this.#parts.limits);
      return (c) => listThreads(this.#parts, c, key);
    });
  }

  /** The namespaces holding at least one thread or checkpoint, sorted (for export). */
  namespaces(): Promise<string[]> {
    return this.#run(() => async (c) => {
      const { S } = this.#parts;
      const { rows } = await c.query<{ namespace: string }>(
        `SELECT namespace FROM ${S}.threads UNION SELECT namespace FROM ${S}.checkpoints ORDER BY 1`,
      );
      return rows.map((r) => r.namespace);
    });
  }

  createApiKey(record: ApiKeyRecord): Promise<void> {
    return this.#run(() => {
      const r = prepareApiKeyRecord(record, this.#parts.limits);
      return (c) => apiKeys.createApiKey(this.#parts, c, r);
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.#run(() => (c) => (typeof id === 'string' ? apiKeys.getApiKey(this.#parts, c, id) : Promise.resolve(null)));
  }

  listApiKeys(options: ListApiKeysOptions): Promise<Page<ApiKeyRecord>> {
    return this.#run(() => {
      const key = prepareListApiKeys(options, this.#parts.limits);
      return (c) => apiKeys.listApiKeys(this.#parts, c, key);
    });
  }

  revokeApiKey(options: RevokeApiKeyOptions): Promise<boolean> {
    return this.#run(() => {
      const key = prepareRevokeApiKey(options, this.#parts.limits);
      return (c) => apiKeys.revokeApiKey(this.#parts, c, key, this.#parts.now());
    });
  }

  ping(): Promise<void> {
    return this.#run(() => async (c) => {
      await c.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.changes.close();
    await endPool(this.#parts.pool, this.#parts.timeoutMs);
  }

  /**
   * `prepare` validates the input (throwing ValidationError before any client is taken: a bad
   * input never waits for the pool or a database that is down) and returns the database work.
   */
  /** Like #run, for work that takes its clients itself (the append batcher). */
  async #call<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    return work();
  }

  async #run<T>(prepare: () => (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    const call = prepare();
    return withClient(this.#parts.pool, this.#parts.timeoutMs, call);
  }
}

/** Ends the pool, but does not wait longer than `ms` for clients still checked out. Never throws. */
export async function endPool(pool: pg.Pool, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([pool.end(), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } catch {
    // Already ended.
  } finally {
    clearTimeout(timer);
  }
}
