import { prepareAppend } from '../../domain/append.js';
import { RevisionConflict, StorageCorrupted, StorageUnavailable } from '../../domain/errors.js';
import type { Limits } from '../../domain/limits.js';
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
  Storage,
  ThreadOptions,
} from '../types.js';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from '../api-key-table.js';
import * as apiKeys from './api-keys.js';
import type { RedisChangeFeed } from './change-feed.js';
import { deleteCheckpoint, getCheckpoint, listCheckpoints, putCheckpoint } from './checkpoints.js';
import { decodeEntry, decodeHead, encodeEntry, seqOfStreamId } from './codec.js';
import { toStorageError, type RedisConnection } from './connection.js';
import { fromOrderedHex, orderedHex, type RedisKeys } from './keys.js';
import { APPEND, DELETE_THREAD, READ_RANGE, READ_TAIL } from './scripts.js';

/** What a RedisStorage runs on. */
export interface RedisStorageParts {
  connection: RedisConnection;
  changes: RedisChangeFeed;
  keys: RedisKeys;
  limits: Limits;
  commandTimeoutMs: number;
  now: () => Date;
}

/** The Redis adapter; built by createRedisStorage (index.ts), which documents its promises. */
export class RedisStorage implements Storage {
  readonly kind = 'redis';
  readonly changes: RedisChangeFeed;
  readonly #parts: RedisStorageParts;
  #closed = false;

  constructor(parts: RedisStorageParts) {
    this.#parts = parts;
    this.changes = parts.changes;
  }

  /** PUBLISH (standalone) or SPUBLISH (cluster: the channel shares the script's slot). */
  get publishCommand(): string {
    return this.#parts.connection.cluster ? 'SPUBLISH' : 'PUBLISH';
  }

  getCheckpoint(options: GetCheckpointOptions): Promise<Checkpoint | null> {
    return this.#guard(() => getCheckpoint(this.#parts, prepareCheckpointKey(options, this.#parts.limits)));
  }

  putCheckpoint(options: PutCheckpointOptions): Promise<Checkpoint> {
    return this.#guard(() => putCheckpoint(this.#parts, options, this.publishCommand));
  }

  deleteCheckpoint(options: GetCheckpointOptions): Promise<boolean> {
    return this.#guard(() =>
      deleteCheckpoint(this.#parts, prepareCheckpointKey(options, this.#parts.limits), this.publishCommand),
    );
  }

  listCheckpoints(options: ListCheckpointsOptions): Promise<Page<Checkpoint>> {
    return this.#guard(() => listCheckpoints(this.#parts, prepareListCheckpoints(options, this.#parts.limits)));
  }

  appendEntries(options: AppendEntriesOptions): Promise<AppendEntriesResult> {
    return this.#guard(async () => {
      const { connection, keys, limits } = this.#parts;
      const now = this.#parts.now();
      const append = prepareAppend(options, limits, now);
      const { namespace, threadId, entries } = append;
      const head = keys.threadHead(namespace, threadId);
      const index = keys.threadIndex(namespace);
      const member = orderedHex(threadId);
      const prefix = `${JSON.stringify({ type: 'thread-appended', namespace, threadId }).slice(0, -1)},"rev":`;
      const args = [
        append.expectedRev === undefined ? '' : String(append.expectedRev),
        append.idsFromCaller ? '1' : '0',
        JSON.stringify(append.metadata),
        now.toISOString(),
        this.publishCommand,
        keys.threadChannel(namespace, threadId),
        prefix,
        member,
        connection.cluster ? 'ask' : 'key',
      ];
      for (const entry of entries) args.push(entry.id, encodeEntry(entry));
      const scriptKeys = [head, keys.threadLog(namespace, threadId)];
      if (!connection.cluster) scriptKeys.push(index);
      let reply = (await connection.run(APPEND, scriptKeys, args)) as unknown[];
      if (reply[0] === 'index') {
        // Cluster: the index lives in another slot. Index first, then create, then re-check
        // (a racing delete may have removed the member in between); see README.md.
        await connection.send(index, ['ZADD', index, '0', member]);
        args[8] = 'done';
        reply = (await connection.run(APPEND, scriptKeys, args)) as unknown[];
        if (reply[0] === 'ok' && (await connection.send(index, ['ZSCORE', index, member], true)) == null) {
          await connection.send(index, ['ZADD', index, '0', member]);
        }
      }
      const [status, rev, meta, createdAt, updatedAt, ...stored] = reply;
      const thread = (): ThreadHead => decodeHead(threadId, rev, meta, createdAt, updatedAt);
      if (status === 'ok') {
        const first = Number(rev) - entries.length;
        const written = args.slice(10).filter((_, i) => i % 2 === 0);
        return {
          thread: thread(),
          entries: written.map((json, i) => decodeEntry(json, threadId, first + i)),
          replayed: false,
        };
      }
      if (status === 'replay') {
        const from = append.expectedRev ?? 0;
        return { thread: thread(), entries: stored.map((json, i) => decodeEntry(json, threadId, from + i)), replayed: true };
      }
      if (status === 'conflict') {
        throw new RevisionConflict(append.expectedRev ?? 0, Number(rev), `thread ${JSON.stringify(threadId)}`);
      }
      throw new Error(`unexpected append reply ${String(status)}`);
    });
  }

  readEntries(options: ReadEntriesOptions): Promise<Entry[]> {
    return this.#guard(async () => {
      const { namespace, threadId, fromSeq, limit } = prepareReadEntries(options, this.#parts.limits);
      if (limit === 0) return [];
      const { keys } = this.#parts;
      const rows = (await this.#parts.connection.run(
        READ_RANGE,
        [keys.threadHead(namespace, threadId), keys.threadLog(namespace, threadId)],
        [String(fromSeq), String(limit)],
      )) as unknown[];
      if (rows[0] === 'corrupt') throw missingEntries(threadId, rows);
      const entries: Entry[] = [];
      for (let i = 0; i < rows.length; i += 2) entries.push(decodeEntry(rows[i + 1], threadId, seqOfStreamId(rows[i])));
      return entries;
    });
  }

  readTail(options: ReadTailOptions): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    return this.#guard(async () => {
      const { namespace, threadId, limit } = prepareReadTail(options, this.#parts.limits);
      const { keys, connection } = this.#parts;
      const reply = (await connection.run(
        READ_TAIL,
        [keys.threadHead(namespace, threadId), keys.threadLog(namespace, threadId)],
        [String(limit)],
      )) as unknown[];
      if (reply.length === 0) return { thread: null, entries: [] };
      if (reply[0] === 'corrupt') throw missingEntries(threadId, reply);
      const [rev, meta, createdAt, updatedAt, ...rows] = reply;
      const thread = decodeHead(threadId, rev, meta, createdAt, updatedAt);
      const first = thread.rev - rows.length;
      return { thread, entries: rows.map((json, i) => decodeEntry(json, threadId, first + i)) };
    });
  }

  getThread(options: ThreadOptions): Promise<ThreadHead | null> {
    return this.#guard(() => {
      const { namespace, threadId } = prepareThreadKey(options, this.#parts.limits);
      return this.#readHead(namespace, threadId);
    });
  }

  deleteThread(options: ThreadOptions): Promise<boolean> {
    return this.#guard(async () => {
      const { namespace, threadId } = prepareThreadKey(options, this.#parts.limits);
      const { keys, connection } = this.#parts;
      const head = keys.threadHead(namespace, threadId);
      const index = keys.threadIndex(namespace);
      const member = orderedHex(threadId);
      const scriptKeys = [head, keys.threadLog(namespace, threadId)];
      if (!connection.cluster) scriptKeys.push(index);
      const message = JSON.stringify({ type: 'thread-deleted', namespace, threadId });
      const deleted = await connection.run(DELETE_THREAD, scriptKeys, [
        member,
        this.publishCommand,
        keys.threadChannel(namespace, threadId),
        message,
      ]);
      if (connection.cluster) {
        // Unindex after the delete; a thread re-created meanwhile is indexed again.
        await connection.send(index, ['ZREM', index, member]);
        if (Number(await connection.send(head, ['EXISTS', head], true)) === 1) {
          await connection.send(index, ['ZADD', index, '0', member]);
        }
      }
      return Number(deleted) === 1;
    });
  }

  listThreads(options: ListThreadsOptions): Promise<Page<ThreadHead>> {
    return this.#guard(async () => {
      const { namespace, first, after } = prepareListThreads(options, this.#parts.limits);
      const index = this.#parts.keys.threadIndex(namespace);
      const items: ThreadHead[] = [];
      let cursor = after === null ? '-' : `(${orderedHex(after)}`;
      for (;;) {
        const want = first + 1 - items.length;
        const members = (await this.#parts.connection.send(
          index,
          ['ZRANGEBYLEX', index, cursor, '+', 'LIMIT', '0', String(want)],
          true,
        )) as string[];
        // Members whose thread is gone (a crash between index and thread in a cluster) are skipped.
        const heads = await Promise.all(members.map((m) => this.#readHead(namespace, fromOrderedHex(m))));
        for (const head of heads) if (head) items.push(head);
        if (members.length < want || items.length > first) break;
        cursor = `(${members.at(-1)!}`;
      }
      return { items: items.slice(0, first), hasMore: items.length > first };
    });
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
      return apiKeys.revokeApiKey(this.#parts, namespace, id, this.#parts.now(), this.publishCommand);
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

  async #readHead(namespace: string, threadId: string): Promise<ThreadHead | null> {
    const head = this.#parts.keys.threadHead(namespace, threadId);
    const [rev, meta, createdAt, updatedAt] = (await this.#parts.connection.send(
      head,
      ['HMGET', head, 'rev', 'meta', 'ca', 'ua'],
      true,
    )) as unknown[];
    return rev == null ? null : decodeHead(threadId, rev, meta, createdAt, updatedAt);
  }

  /** Runs one call: closed check, the deadline, and the error mapping. */
  async #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    const ms = this.#parts.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StorageUnavailable(`redis did not answer within ${ms} ms`)), ms);
        }),
      ]);
    } catch (error) {
      throw toStorageError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error for a {'corrupt', rev, found} script reply: the stream lacks entries the head counts. */
function missingEntries(threadId: string, reply: unknown[]): StorageCorrupted {
  return new StorageCorrupted(
    `journal of thread ${JSON.stringify(threadId)} is missing entries: its head says rev ${String(reply[1])} but ` +
      `only ${String(reply[2])} of the requested entries exist (evicted? run Redis with maxmemory-policy noeviction)`,
  );
}
