import type { FileHandle } from 'node:fs/promises';
import type { PreparedEntry } from '../../domain/append.js';
import { StorageCorrupted, StorageUnavailable } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import { writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import type { HandlePool } from './handle-pool.js';
import type { EntryPayload, ThreadHeaderPayload } from './journal-scan.js';
import { decodeRecord, encodeRecord, parsePayload, RecordType } from './record-codec.js';

/** What every journal shares. */
export interface JournalContext {
  pool: HandlePool;
  commit: GroupCommit;
  io: FileIo;
  /** The threads directory, fsynced after a journal file is created. */
  dir: FileHandle;
}

/** What is already on disk, from the open-time scan. */
export interface JournalState {
  offsets: number[];
  size: number;
  updatedAt: string;
}

/**
 * One thread's journal: the file plus its in-memory head and seq → offset index (one number per
 * entry). Two revs: `writtenRev` (records written, maybe not yet flushed; used to order appends)
 * and `durableRev` (flushed; the only part readers, listings and notifications see).
 * `write` must be called under the thread's mutex; reads need no lock. Does NOT serialize
 * callers itself, and once a write or flush fails the journal refuses every operation until the
 * storage is reopened (the open-time scan then cuts whatever was not committed).
 */
export class JournalFile {
  readonly offsets: number[];
  writtenSize: number;
  durableRev: number;
  updatedAt: string;
  deleted = false;
  #failure: unknown = null;
  #settled: Promise<void> = Promise.resolve();

  constructor(
    readonly ctx: JournalContext,
    readonly path: string,
    readonly namespace: string,
    readonly threadId: string,
    readonly metadata: JsonObject,
    readonly createdAt: string,
    state: JournalState | null,
  ) {
    this.offsets = state?.offsets ?? [];
    this.writtenSize = state?.size ?? 0;
    this.durableRev = this.offsets.length;
    this.updatedAt = state?.updatedAt ?? createdAt;
  }

  get writtenRev(): number {
    return this.offsets.length;
  }

  /** The durable head. */
  head(): ThreadHead {
    return {
      id: this.threadId,
      rev: this.durableRev,
      metadata: structuredClone(this.metadata),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  /** Throws StorageUnavailable when an earlier write or flush failed. */
  assertHealthy(): void {
    if (this.#failure !== null) {
      throw new StorageUnavailable(
        `journal of thread ${JSON.stringify(this.threadId)} (${this.path}) failed earlier; reopen the storage to recover`,
        { cause: this.#failure },
      );
    }
  }

  /** Resolves when every write so far is durable or has failed. */
  settled(): Promise<void> {
    return this.#settled;
  }

  /**
   * Writes one append (the header too, for a new thread) as consecutive records at the end of
   * the written part, and returns at once with `durable`, which resolves after the flush (and
   * rejects, never acknowledging, when the write cannot be made durable). On a write error the
   * file is cut back to its previous length before this throws.
   */
  async write(entries: readonly PreparedEntry[], serverTime: string): Promise<{ firstSeq: number; durable: Promise<void> }> {
    this.assertHealthy();
    const firstSeq = this.offsets.length;
    const isNew = this.writtenSize === 0;
    const parts: Buffer[] = [];
    const relative: number[] = [];
    let length = 0;
    if (isNew) {
      const header: ThreadHeaderPayload = {
        v: 1,
        ns: this.namespace,
        id: this.threadId,
        metadata: this.metadata,
        createdAt: this.createdAt,
      };
      parts.push(encodeRecord(RecordType.ThreadHeader, 0, header));
      length += parts[0]!.length;
    }
    entries.forEach((entry, i) => {
      const last = i === entries.length - 1;
      const payload: EntryPayload = { s: firstSeq + i, ...entry, ...(last ? { t: serverTime } : {}) };
      const record = encodeRecord(RecordType.Entry, entries.length - 1 - i, payload);
      relative.push(length);
      parts.push(record);
      length += record.length;
    });
    const buffer = Buffer.concat(parts, length);
    const lease = await this.ctx.pool.acquire(this.path, isNew ? 'w+' : 'r+');
    try {
      await writeFully(this.ctx.io, lease.handle, buffer, this.writtenSize);
    } catch (error) {
      try {
        await this.ctx.io.truncate(lease.handle, this.writtenSize);
      } catch (truncateError) {
        this.#failure = truncateError;
      }
      lease.release();
      throw new StorageUnavailable(`write to ${this.path} failed: ${describe(error)}`, { cause: error });
    }
    for (const offset of relative) this.offsets.push(this.writtenSize + offset);
    this.writtenSize += length;
    const rev = this.offsets.length;
    const durable = this.#flush(lease.handle, isNew).then(
      () => {
        lease.release();
        this.assertHealthy();
        if (rev > this.durableRev) {
          this.durableRev = rev;
          this.updatedAt = serverTime;
        }
      },
      (error: unknown) => {
        lease.release();
        this.#failure ??= error;
        throw new StorageUnavailable(`flush of ${this.path} failed: ${describe(error)}`, { cause: error });
      },
    );
    this.#settled = durable.catch(() => {});
    return { firstSeq, durable };
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
      throw new StorageUnavailable(`cannot open ${this.path}: ${describe(error)}`, { cause: error });
    }
    let buffer: Buffer;
    try {
      if (this.deleted) return null;
      buffer = Buffer.allocUnsafe(end - start);
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await lease.handle.read(buffer, done, buffer.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      buffer = buffer.subarray(0, done);
    } finally {
      lease.release();
    }
    const entries: Entry[] = [];
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const seq = from + i;
      const where = `${this.path} at offset ${start + pos}`;
      const record = decodeRecord(buffer, pos);
      if (typeof record === 'string' || record.type !== RecordType.Entry) {
        throw new StorageCorrupted(`journal record of seq ${seq} is damaged (${typeof record === 'string' ? record : 'wrong type'})`, where);
      }
      let payload: EntryPayload;
      try {
        payload = parsePayload<EntryPayload>(record);
      } catch {
        throw new StorageCorrupted(`journal record of seq ${seq} is not valid JSON`, where);
      }
      if (payload.s !== seq) throw new StorageCorrupted(`journal record holds seq ${payload.s}, expected ${seq}`, where);
      entries.push({
        id: payload.id,
        threadId: this.threadId,
        seq,
        at: payload.at,
        kind: payload.kind,
        payload: payload.payload,
        refs: payload.refs,
      });
      pos = record.end;
    }
    return entries;
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? error);
}
