import type { FileHandle } from 'node:fs/promises';
import type { PreparedEntry } from '../../domain/append.js';
import { StorageUnavailable } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Entry, RetentionPolicy, ThreadHead } from '../../domain/types.js';
import { describeIoError, readFully, writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import type { HandlePool, Lease } from './handle-pool.js';
import type { EntryPayload, ThreadHeaderPayload, ThreadMetaPayload } from './journal-scan.js';
import { decodeEntries } from './entry-decoder.js';
import { rewriteJournal } from './journal-rewrite.js';
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
  /** Trimmed bytes that justify a compaction (when also ≥ the retained bytes). */
  compactMinBytes: number;
}

/** One queued write (an append or a retention record): its bytes and the rev, firstSeq and size once it is written. */
interface Queued {
  buffer: Buffer;
  rev: number;
  first: number;
  size: number;
  resolve: (flushed: PromiseLike<void>) => void;
  reject: (error: Error) => void;
}

/** A compaction runs once the bytes of trimmed entries reach the retained ones and at least this many (a default). */
export const DEFAULT_COMPACT_MIN_BYTES = 64 * 1024;

/** Appends queued behind a running write are combined into writes of at most this many bytes (one append may be larger). */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** What the journal's header records: set when the thread is created. */
export interface JournalThread {
  metadata: JsonObject;
  createdAt: string;
  life: string;
  retention: RetentionPolicy | null;
  /** Seq of the first entry (startSeq of a new thread). */
  base: number;
}

/** What is already on disk, from the open-time scan. */
export interface JournalState {
  offsets: number[];
  firstSeq: number;
  size: number;
  updatedAt: string;
}

/** What a compaction did. */
export interface Compaction {
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * One thread's journal: the file plus its in-memory head and seq → offset index (one number per
 * entry still in the file; `base` is the seq of the file's first entry record). Two revs:
 * `writtenRev` (reserved by queued or written appends, maybe not yet flushed; used to order
 * appends) and `durableRev` (flushed; the only part readers, listings and notifications see).
 * Likewise two firstSeqs: `reservedFirst` (trims queued or written, so a checkpoint pointer
 * checked now already sees them) and `firstSeq` (durable; entries below it are never read). A
 * trim is a ThreadMeta record written like an append; the trimmed bytes stay in the file until
 * {@link compact} rewrites it. `append`, `writeMeta` and `compact` must be called under the
 * thread's mutex; reads need no lock (they wait only while a compaction swaps the file). Does
 * NOT serialize callers itself, and once a cut-back or flush fails the journal refuses every
 * append until the storage is reopened (the open-time scan then cuts whatever was not committed).
 */
export class JournalFile {
  metadata: JsonObject;
  createdAt: string;
  /** The thread's life: kept for the file's lifetime (a deleted thread's next append makes a new JournalFile). */
  readonly life: string;
  /** The durable policy (changed under the thread's mutex once its record is durable). */
  retention: RetentionPolicy | null;
  /** Seq of `offsets[0]`, the file's first entry record. */
  base: number;
  offsets: number[];
  writtenSize: number;
  durableRev: number;
  firstSeq: number;
  reservedFirst: number;
  updatedAt: string;
  deleted = false;
  /** True once something of the thread is durable (loaded from disk, or a write flushed). */
  exists: boolean;
  #failure: unknown = null;
  #settled: Promise<void> = Promise.resolve();
  readonly #queue: Queued[] = [];
  #draining = false;
  /** Size, rev and firstSeq of what is known to be written (the rest of the reservation may be queued). */
  #goodSize: number;
  #goodRev: number;
  #goodFirst: number;
  /** Writes queued so far and the number of the last durable one (orders durable state updates). */
  #writes = 0;
  #durableWrite = 0;
  /** Reads between their offset lookup and their file read; a compaction waits for them before swapping files. */
  #readers = 0;
  #readersDone: (() => void) | null = null;
  /** Set while a compaction swaps files: new reads wait for it. */
  #swap: Promise<void> | null = null;
  /** Offset where the first retained entry (or the end) starts: bytes before it, after the header, are trimmed. */
  #headerEnd: number;

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
    this.retention = thread.retention;
    this.base = thread.base;
    this.offsets = state?.offsets ?? [];
    this.writtenSize = state?.size ?? 0;
    this.#goodSize = this.writtenSize;
    this.#goodRev = this.writtenRev;
    this.durableRev = this.writtenRev;
    this.firstSeq = state?.firstSeq ?? thread.base;
    this.reservedFirst = this.firstSeq;
    this.#goodFirst = this.firstSeq;
    this.updatedAt = state?.updatedAt ?? thread.createdAt;
    this.exists = state !== null;
    this.#headerEnd = this.offsets[0] ?? this.writtenSize;
  }

  get writtenRev(): number {
    return this.base + this.offsets.length;
  }

  /** The durable head. */
  head(): ThreadHead {
    return {
      id: this.threadId,
      rev: this.durableRev,
      firstSeq: this.firstSeq,
      life: this.life,
      retention: this.retention && { ...this.retention },
      metadata: structuredClone(this.metadata),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /** Throws StorageUnavailable when an earlier write or flush failed. */
  assertHealthy(): void {
    if (this.#failure !== null) throw this.#failureError();
  }

  /** Resolves when every write so far is durable or has failed. */
  settled(): Promise<void> {
    return this.#settled;
  }

  /** True while queued writes are being written or a failed write is being cut back. */
  get busy(): boolean {
    return this.#draining;
  }

  /**
   * A journal with nothing written takes the metadata, creation time, policy and startSeq of the
   * append that creates it.
   */
  adoptIfEmpty(metadata: JsonObject, createdAt: string, retention: RetentionPolicy | null, startSeq: number): void {
    if (this.writtenSize !== 0) return;
    this.metadata = metadata;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
    this.retention = retention;
    this.base = startSeq;
    this.offsets = [];
    this.durableRev = startSeq;
    this.#goodRev = startSeq;
    this.firstSeq = this.reservedFirst = this.#goodFirst = startSeq;
  }

  /**
   * Queues one append (the header too, for a new journal) and returns at once, with its seq
   * and `durable`, which resolves once its records are written and flushed. `first` is the
   * thread's firstSeq after it (a maxEntries policy trims inside the append: recorded on its
   * last record, applied when durable). Appends queued while a write is running are combined
   * into the next write call (and so share its flush). The seq, firstSeq and offsets are
   * reserved synchronously, so the caller's checks and this call need no lock between them
   * beyond the thread's own serialization. A write error cuts the file back, rolls the
   * reservation back and rejects this and every later queued write (none acknowledged); a flush
   * error rejects and fences the journal.
   */
  append(entries: readonly PreparedEntry[], serverTime: string, first: number): { firstSeq: number; durable: Promise<void> } {
    this.assertHealthy();
    const firstSeq = this.writtenRev;
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
        ...(this.base !== 0 ? { first: this.base } : {}),
        ...(this.retention ? { retention: this.retention } : {}),
      };
      parts.push(encodeRecord(RecordType.ThreadHeader, 0, header));
      length += parts[0]!.length;
      this.#headerEnd = length;
    }
    first = Math.max(first, this.reservedFirst);
    entries.forEach((entry, i) => {
      const last = i === entries.length - 1;
      const payload: EntryPayload = { s: firstSeq + i, ...entry, ...(last ? { t: serverTime, ...(first !== 0 ? { f: first } : {}) } : {}) };
      const record = encodeRecord(RecordType.Entry, entries.length - 1 - i, payload);
      this.offsets.push(this.writtenSize + length);
      parts.push(record);
      length += record.length;
    });
    return { firstSeq, durable: this.#enqueue(Buffer.concat(parts, length), first, serverTime) };
  }

  /**
   * Queues a retention record: firstSeq becomes `first` (a trim; never lowered) and, when given,
   * the policy `retention` (applied by the caller once durable). Reserved at once, durable when
   * the returned promise resolves; failures as for {@link append}.
   */
  writeMeta(first: number, serverTime: string, retention?: RetentionPolicy | null): Promise<void> {
    this.assertHealthy();
    first = Math.max(first, this.reservedFirst);
    const payload: ThreadMetaPayload = { f: first, ...(retention !== undefined ? { r: retention } : {}), t: serverTime };
    return this.#enqueue(encodeRecord(RecordType.ThreadMeta, 0, payload), first, serverTime);
  }

  #enqueue(buffer: Buffer, first: number, serverTime: string): Promise<void> {
    this.writtenSize += buffer.length;
    this.reservedFirst = first;
    const rev = this.writtenRev;
    const n = ++this.#writes;
    // Resolved with the flush promise of the write that carried it, so it settles with that flush.
    const written = new Promise<void>((resolve, reject) => {
      this.#queue.push({ buffer, rev, first, size: this.writtenSize, resolve, reject });
    });
    if (!this.#draining) {
      this.#draining = true;
      void this.#drain();
    }
    const durable = written.then(() => {
      this.assertHealthy();
      this.exists = true;
      if (n > this.#durableWrite) {
        this.#durableWrite = n;
        this.durableRev = rev;
        this.firstSeq = Math.max(this.firstSeq, first);
        this.updatedAt = serverTime;
      }
    });
    this.#settled = durable.catch(() => {});
    return durable;
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
        // Roll back at once, before any await, so writes queued from now on reserve from here.
        const failed = [...chunk, ...this.#queue.splice(0)];
        this.offsets.length = this.#goodRev - this.base;
        this.writtenSize = start;
        this.reservedFirst = this.#goodFirst;
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
      this.#goodFirst = last.first;
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

  /** Bytes of trimmed entries still in the file, and of the retained part (entries from firstSeq, later records). */
  trimmedBytes(): { dead: number; live: number } {
    const liveStart = this.firstSeq < this.writtenRev ? this.offsets[this.firstSeq - this.base]! : this.#goodSize;
    return { dead: liveStart - this.#headerEnd, live: this.#goodSize - liveStart };
  }

  /** True when a compaction would pay: trimmed bytes ≥ retained bytes and ≥ `compactMinBytes`. */
  wantsCompaction(): boolean {
    if (this.deleted || this.#failure !== null || !this.exists) return false;
    const { dead, live } = this.trimmedBytes();
    return dead >= this.ctx.compactMinBytes && dead >= live;
  }

  /**
   * Rewrites the file without the trimmed entries (journal-rewrite.ts: temp file, flush, rename,
   * directory flush) and switches the offset index to it. Call under the thread's mutex. In
   * `'wal'` mode the journal is first flushed on its own and a reset logged, so a replay never
   * applies the old file's offsets to the new one. Resolves null when there is nothing to drop.
   * A failure before the rename leaves the old file (nothing lost, the temp file removed or left
   * for the next open to remove); a failure after it fences the journal until reopen.
   */
  async compact(): Promise<Compaction | null> {
    await this.settled();
    this.assertHealthy();
    if (this.deleted || !this.exists || this.firstSeq <= this.base) return null;
    const keepFrom = this.firstSeq;
    const liveStart = keepFrom < this.writtenRev ? this.offsets[keepFrom - this.base]! : this.writtenSize;
    const header: ThreadHeaderPayload = {
      v: 1,
      ns: this.namespace,
      id: this.threadId,
      metadata: this.metadata,
      createdAt: this.createdAt,
      life: this.life,
      first: keepFrom,
      retention: this.retention,
      u: this.updatedAt,
    };
    const headerBytes = encodeRecord(RecordType.ThreadHeader, 0, header);
    const bytesBefore = this.writtenSize;
    const rewritten = await rewriteJournal({
      ctx: this.ctx,
      path: this.path,
      namespace: this.namespace,
      threadId: this.threadId,
      header: headerBytes,
      liveStart,
      size: this.writtenSize,
      swap: async (rename) => {
        // No read may look up old offsets and then open the new file: wait for reads in flight.
        let open!: () => void;
        this.#swap = new Promise<void>((resolve) => (open = resolve));
        try {
          if (this.#readers > 0) await new Promise<void>((resolve) => (this.#readersDone = resolve));
          await rename();
          this.ctx.pool.retire(this.path);
          const shift = headerBytes.length - liveStart;
          this.offsets = this.offsets.slice(keepFrom - this.base).map((offset) => offset + shift);
          this.base = keepFrom;
          this.writtenSize += shift;
          this.#goodSize += shift;
          this.#headerEnd = headerBytes.length;
        } finally {
          this.#swap = null;
          open();
        }
      },
      fail: (error) => {
        this.#failure ??= error;
      },
    });
    return rewritten ? { bytesBefore, bytesAfter: this.writtenSize } : null;
  }

  /**
   * Reads up to `count` entries from seq `from`; the caller keeps `from + count ≤ durableRev`.
   * Entries below firstSeq (trimmed meanwhile) are left out. Reads only those records' bytes and
   * checks each one's checksum and seq. Returns null when the thread was deleted meanwhile.
   * Throws StorageCorrupted naming the file and offset.
   */
  async read(from: number, count: number): Promise<Entry[] | null> {
    while (this.#swap) await this.#swap;
    if (from < this.firstSeq) {
      count -= this.firstSeq - from;
      from = this.firstSeq;
    }
    if (count <= 0) return [];
    const start = this.offsets[from - this.base]!;
    const end = from + count < this.writtenRev ? this.offsets[from + count - this.base]! : this.writtenSize;
    this.#readers++;
    let lease;
    try {
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
    } finally {
      if (--this.#readers === 0 && this.#readersDone) {
        this.#readersDone();
        this.#readersDone = null;
      }
    }
  }
}
