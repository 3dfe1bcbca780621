import type { FileHandle } from 'node:fs/promises';
import type { PreparedEntry } from '../../domain/append.js';
import { StorageUnavailable } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import { describeIoError, readFully, writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import type { HandlePool, Lease } from './handle-pool.js';
import type { EntryPayload, ThreadHeaderPayload } from './journal-scan.js';
import { decodeEntries } from './entry-decoder.js';
import { encodeRecord, RecordType } from './record-codec.js';
import { takeBatch } from './take-batch.js';
import type { WriteAheadLog } from './wal.js';

/** What every journal shares. */
export interface JournalContext {
  pool: HandlePool;
  commit: GroupCommit;
  io: FileIo;
  /** The threads directory, fsynced after a journal file is created. */
  dir: FileHandle;
  /**
   * The shared write-ahead log (`durability: 'wal'`): when set, every write is also logged and
   * the log's flush replaces the journal's own flush. Null: each journal is flushed itself.
   */
  wal: WriteAheadLog | null;
}

/** One queued append: its bytes and the rev and size once it is written. */
interface Queued {
  buffer: Buffer;
  rev: number;
  size: number;
  resolve: (flushed: PromiseLike<void>) => void;
  reject: (error: Error) => void;
}

/** Appends queued behind a running write are combined into writes of at most this many bytes (one append may be larger). */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** What the journal's header records: set when the thread is created. */
export interface JournalThread {
  metadata: JsonObject;
  createdAt: string;
  life: string;
}

/** What is already on disk, from the open-time scan. */
export interface JournalState {
  offsets: number[];
  size: number;
  updatedAt: string;
}

/**
 * One thread's journal: the file plus its in-memory head and seq → offset index (one number per
 * entry). Two revs: `writtenRev` (reserved by queued or written appends, maybe not yet flushed;
 * used to order appends) and `durableRev` (flushed; the only part readers, listings and
 * notifications see). `append` must be called under the thread's mutex; reads need no lock.
 * Does NOT serialize callers itself, and once a cut-back or flush fails the journal refuses
 * every append until the storage is reopened (the open-time scan then cuts whatever was not
 * committed).
 */
export class JournalFile {
  metadata: JsonObject;
  createdAt: string;
  /** The thread's life: kept for the file's lifetime (a deleted thread's next append makes a new JournalFile). */
  readonly life: string;
  readonly offsets: number[];
  writtenSize: number;
  durableRev: number;
  updatedAt: string;
  deleted = false;
  #failure: unknown = null;
  #settled: Promise<void> = Promise.resolve();
  readonly #queue: Queued[] = [];
  #draining = false;
  /** Size and rev of what is known to be written (the rest of the reservation may be queued). */
  #goodSize: number;
  #goodRev: number;

  constructor(
    readonly ctx: JournalContext,
    readonly path: string,
    readonly namespace: string,
    readonly threadId: string,
    thread: JournalThread,
    state: JournalState | null,
  ) {
    this.metadata = thread.metadata;
    this.createdAt = thread.createdAt;
    this.life = thread.life;
    this.offsets = state?.offsets ?? [];
    this.writtenSize = state?.size ?? 0;
    this.#goodSize = this.writtenSize;
    this.#goodRev = this.offsets.length;
    this.durableRev = this.offsets.length;
    this.updatedAt = state?.updatedAt ?? thread.createdAt;
  }

  get writtenRev(): number {
    return this.offsets.length;
  }

  /** The durable head. */
  head(): ThreadHead {
    return {
      id: this.threadId,
      rev: this.durableRev,
      firstSeq: 0,
      life: this.life,
      retention: null,
      metadata: structuredClone(this.metadata),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /** Throws StorageUnavailable when an earlier write or flush failed. */
  assertHealthy(): void {
    if (this.#failure !== null) throw this.#failureError();
  }

  /** Resolves when every append so far is durable or has failed. */
  settled(): Promise<void> {
    return this.#settled;
  }

  /** True while queued appends are being written or a failed write is being cut back. */
  get busy(): boolean {
    return this.#draining;
  }

  /** A journal with nothing written takes the metadata and creation time of the append that creates it. */
  adoptIfEmpty(metadata: JsonObject, createdAt: string): void {
    if (this.writtenSize !== 0) return;
    this.metadata = metadata;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  /**
   * Queues one append (the header too, for a new journal) and returns at once, with its seq
   * and `durable`, which resolves once its records are written and flushed. Appends queued
   * while a write is running are combined into the next write call (and so share its flush).
   * The seq and offsets are reserved synchronously, so the caller's revision check and this
   * call need no lock between them beyond the thread's own serialization. A write error cuts
   * the file back, rolls the reservation back and rejects this and every later queued append
   * (none acknowledged); a flush error rejects and fences the journal.
   */
  append(entries: readonly PreparedEntry[], serverTime: string): { firstSeq: number; durable: Promise<void> } {
    this.assertHealthy();
    const firstSeq = this.offsets.length;
    const parts: Buffer[] = [];
    let length = 0;
    if (this.writtenSize === 0) {
      const header: ThreadHeaderPayload = {
        v: 1,
        ns: this.namespace,
        id: this.threadId,
        metadata: this.metadata,
        createdAt: this.createdAt,
        life: this.life,
      };
      parts.push(encodeRecord(RecordType.ThreadHeader, 0, header));
      length += parts[0]!.length;
    }
    entries.forEach((entry, i) => {
      const last = i === entries.length - 1;
      const payload: EntryPayload = { s: firstSeq + i, ...entry, ...(last ? { t: serverTime } : {}) };
      const record = encodeRecord(RecordType.Entry, entries.length - 1 - i, payload);
      this.offsets.push(this.writtenSize + length);
      parts.push(record);
      length += record.length;
    });
    this.writtenSize += length;
    const rev = this.offsets.length;
    // Resolved with the flush promise of the write that carried it, so it settles with that flush.
    const written = new Promise<void>((resolve, reject) => {
      this.#queue.push({ buffer: Buffer.concat(parts, length), rev, size: this.writtenSize, resolve, reject });
    });
    if (!this.#draining) {
      this.#draining = true;
      void this.#drain();
    }
    const durable = written.then(() => {
      this.assertHealthy();
      if (rev > this.durableRev) {
        this.durableRev = rev;
        this.updatedAt = serverTime;
      }
    });
    this.#settled = durable.catch(() => {});
    return { firstSeq, durable };
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      if (this.#failure !== null) {
        this.#rejectQueued(this.#failureError());
        break;
      }
      const chunk = takeBatch(this.#queue, MAX_CHUNK_BYTES);
      const start = this.#goodSize;
      const isNew = start === 0;
      let lease: Lease | null = null;
      let logged: Promise<void> | null = null;
      try {
        lease = await this.ctx.pool.acquire(this.path, isNew ? 'w+' : 'r+');
        const buffer = chunk.length === 1 ? chunk[0]!.buffer : Buffer.concat(chunk.map((q) => q.buffer));
        await writeFully(this.ctx.io, lease.handle, buffer, start);
        if (this.ctx.wal) ({ flushed: logged } = await this.ctx.wal.append(this.namespace, this.threadId, this.path, start, buffer, isNew));
      } catch (error) {
        // Roll back at once, before any await, so appends queued from now on reserve from here.
        const failed = [...chunk, ...this.#queue.splice(0)];
        this.offsets.length = this.#goodRev;
        this.writtenSize = start;
        const failure =
          error instanceof StorageUnavailable
            ? error
            : new StorageUnavailable(`write to ${this.path} failed: ${describeIoError(error)}`, { cause: error });
        for (const q of failed) q.reject(failure);
        if (lease) {
          try {
            await this.ctx.io.truncate(lease.handle, start);
          } catch (truncateError) {
            this.#failure = truncateError;
          }
          lease.release();
        }
        continue;
      }
      const last = chunk[chunk.length - 1]!;
      this.#goodSize = last.size;
      this.#goodRev = last.rev;
      const held = lease;
      const flushed = (logged ?? this.#flush(held.handle, isNew)).then(
        () => held.release(),
        (error: unknown) => {
          held.release();
          this.#failure ??= error;
          if (error instanceof StorageUnavailable) throw error;
          throw new StorageUnavailable(`flush of ${this.path} failed: ${describeIoError(error)}`, { cause: error });
        },
      );
      flushed.catch(() => {});
      for (const q of chunk) q.resolve(flushed);
    }
    this.#draining = false;
  }

  #rejectQueued(error: Error): void {
    for (const q of this.#queue.splice(0)) q.reject(error);
  }

  #failureError(): StorageUnavailable {
    return new StorageUnavailable(
      `journal of thread ${JSON.stringify(this.threadId)} (${this.path}) failed earlier; reopen the storage to recover`,
      { cause: this.#failure },
    );
  }

  async #flush(handle: FileHandle, isNew: boolean): Promise<void> {
    const { commit, dir } = this.ctx;
    await Promise.all(isNew ? [commit.sync(handle), commit.sync(dir, true)] : [commit.sync(handle)]);
  }

  /**
   * Reads `count` entries from seq `from`; the caller keeps `from + count ≤ durableRev`. Reads
   * only those records' bytes and checks each one's checksum and seq. Returns null when the
   * thread was deleted meanwhile. Throws StorageCorrupted naming the file and offset.
   */
  async read(from: number, count: number): Promise<Entry[] | null> {
    if (count <= 0) return [];
    const start = this.offsets[from]!;
    const end = from + count < this.offsets.length ? this.offsets[from + count]! : this.writtenSize;
    let lease;
    try {
      lease = await this.ctx.pool.acquire(this.path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && this.deleted) return null;
      throw new StorageUnavailable(`cannot open ${this.path}: ${describeIoError(error)}`, { cause: error });
    }
    let buffer: Buffer;
    try {
      if (this.deleted) return null;
      buffer = Buffer.allocUnsafe(end - start);
      buffer = buffer.subarray(0, await readFully(lease.handle, buffer, start));
    } finally {
      lease.release();
    }
    return decodeEntries(buffer, { path: this.path, threadId: this.threadId, start, from, count });
  }
}
