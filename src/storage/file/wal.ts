import type { FileHandle } from 'node:fs/promises';
import { StorageUnavailable } from '../../domain/errors.js';
import { writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import type { HandlePool } from './handle-pool.js';
import { encodeRecord, RecordType } from './record-codec.js';

/** Payload of a {@link RecordType.WalAppend} record; `len` bytes of journal records follow it. */
export interface WalAppendPayload {
  ns: string;
  id: string;
  /** Offset in the thread's journal where the bytes that follow were written. */
  off: number;
  len: number;
}

/** Payload of a {@link RecordType.WalDelete} record. */
export interface WalDeletePayload {
  ns: string;
  id: string;
}

/** What the log needs besides its own file. */
export interface WalContext {
  /** The log file, opened for positional writes; empty when the log is created. */
  handle: FileHandle;
  path: string;
  /** Writes and truncates of the log (fault tests inject here). */
  io: FileIo;
  /** Flushes the log: one fdatasync per round for everything written before the round. */
  commit: GroupCommit;
  /** Flushes thread files and the threads directory at a checkpoint. */
  threadCommit: GroupCommit;
  threadsDir: FileHandle;
  pool: HandlePool;
  /** A checkpoint starts before the next write once the log is this long. */
  maxBytes: number;
}

/** A log write that succeeded; `flushed` settles with the log flush that covers it (a plain object: not a thenable). */
export interface Written {
  flushed: Promise<void>;
}

interface Request {
  buffer: Buffer;
  /** The thread file these bytes were also written to (null for tombstones). */
  path: string | null;
  created: boolean;
  resolve: (written: Written) => void;
  reject: (error: Error) => void;
}

/** Log writes are combined up to this many bytes per write call. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Thread files flushed at once during a checkpoint. */
const CHECKPOINT_PARALLEL = 64;

/**
 * The shared write-ahead log of `durability: 'wal'`: every thread write is also appended here,
 * and an append is acknowledged once the log is flushed, so concurrent appends on ANY threads
 * share one fdatasync per round. Log writes are serialized and combined (one write call per
 * batch). The thread files are written but not flushed per append; a checkpoint (when the log
 * reaches `maxBytes`, and on close) flushes every thread file written since the last one and
 * the threads directory, then empties the log. Open replays what the log still holds
 * (`wal-replay.ts`). A failed log write is cut back and rejected (nothing acknowledged); a
 * failed cut-back, log flush or checkpoint fences the log: every later append is refused until
 * the storage is reopened (which replays the log). Does NOT bound recovery time other than
 * through `maxBytes`, and does NOT flush on a timer.
 */
export class WriteAheadLog {
  #size = 0;
  #queue: Request[] = [];
  #running: Promise<void> | null = null;
  #failure: unknown = null;
  #closed = false;
  readonly #dirty = new Set<string>();
  #dirChanged = false;
  /** Checkpoints completed (the log emptied). */
  checkpoints = 0;

  constructor(readonly ctx: WalContext) {}

  /**
   * Appends a copy of `bytes` (journal records written at `off` in `path`). Resolves once they are
   * written to the log, with `flushed`, which settles when the log is flushed; rejects with
   * StorageUnavailable when the log write failed (nothing of it remains in the log) or the log
   * is fenced.
   */
  append(ns: string, id: string, path: string, off: number, bytes: Buffer, created: boolean): Promise<Written> {
    const header = encodeRecord(RecordType.WalAppend, 0, { ns, id, off, len: bytes.length } satisfies WalAppendPayload);
    return this.#enqueue(Buffer.concat([header, bytes]), path, created);
  }

  /** Writes a deletion marker for the thread and resolves once it is flushed. */
  async tombstone(ns: string, id: string): Promise<void> {
    const { flushed } = await this.#enqueue(encodeRecord(RecordType.WalDelete, 0, { ns, id } satisfies WalDeletePayload), null, false);
    await flushed;
  }

  /** Throws when the log is fenced. */
  assertHealthy(): void {
    if (this.#failure !== null) throw this.#failureError();
  }

  /** Current length of the log in bytes. */
  get size(): number {
    return this.#size;
  }

  /**
   * Waits for queued writes, then (unless the log is fenced, in which case it is left for the
   * next open to replay) runs a last checkpoint and closes the log file. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#running) await this.#running;
    if (this.#failure === null) {
      try {
        await this.#checkpoint();
      } catch {
        // fenced: the log stays as it is and the next open replays it
      }
    }
    await this.ctx.handle.close().catch(() => {});
  }

  #enqueue(buffer: Buffer, path: string | null, created: boolean): Promise<Written> {
    if (this.#failure !== null) return Promise.reject(this.#failureError());
    if (this.#closed) return Promise.reject(new StorageUnavailable(`write-ahead log ${this.ctx.path} is closed`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ buffer, path, created, resolve, reject });
      this.#running ??= this.#loop();
    });
  }

  async #loop(): Promise<void> {
    // Let writes that finish in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      if (this.#failure === null && this.#size >= this.ctx.maxBytes) {
        try {
          await this.#checkpoint();
        } catch (error) {
          this.#failure ??= error;
        }
      }
      if (this.#failure !== null) {
        const error = this.#failureError();
        for (const r of this.#queue.splice(0)) r.reject(error);
        break;
      }
      await this.#writeBatch(this.#takeBatch());
    }
    this.#running = null;
  }

  #takeBatch(): Request[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#queue.length && (n === 0 || bytes + this.#queue[n]!.buffer.length <= MAX_BATCH_BYTES)) {
      bytes += this.#queue[n]!.buffer.length;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #writeBatch(batch: Request[]): Promise<void> {
    const { io, handle, commit, path } = this.ctx;
    const start = this.#size;
    const buffer = batch.length === 1 ? batch[0]!.buffer : Buffer.concat(batch.map((r) => r.buffer));
    try {
      await writeFully(io, handle, buffer, start);
    } catch (error) {
      const failure = new StorageUnavailable(`write to ${path} failed: ${describe(error)}`, { cause: error });
      for (const r of batch) r.reject(failure);
      try {
        await io.truncate(handle, start);
      } catch (truncateError) {
        this.#failure ??= truncateError;
      }
      return;
    }
    this.#size = start + buffer.length;
    for (const r of batch) {
      if (r.path !== null) this.#dirty.add(r.path);
      this.#dirChanged ||= r.created;
    }
    const flushed = commit.sync(handle).catch((error: unknown) => {
      this.#failure ??= error;
      throw new StorageUnavailable(`flush of ${path} failed: ${describe(error)}`, { cause: error });
    });
    flushed.catch(() => {});
    for (const r of batch) r.resolve({ flushed });
  }

  /**
   * Makes every thread file written so far durable on its own, then empties the log. Runs only
   * between log writes (from the loop or after it stopped). Throws on any failure (the caller
   * fences the log; nothing is lost: the log still holds everything).
   */
  async #checkpoint(): Promise<void> {
    const { pool, threadCommit, threadsDir, io, handle, commit } = this.ctx;
    const paths = [...this.#dirty];
    for (let i = 0; i < paths.length; i += CHECKPOINT_PARALLEL) {
      await Promise.all(
        paths.slice(i, i + CHECKPOINT_PARALLEL).map(async (file) => {
          let lease;
          try {
            lease = await pool.acquire(file, 'r+');
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted since
            throw error;
          }
          try {
            await threadCommit.sync(lease.handle);
          } finally {
            lease.release();
          }
        }),
      );
    }
    if (this.#dirChanged) await threadCommit.sync(threadsDir, true);
    if (this.#size > 0) {
      await io.truncate(handle, 0);
      this.#size = 0;
      await commit.sync(handle);
    }
    this.#dirty.clear();
    this.#dirChanged = false;
    this.checkpoints++;
  }

  #failureError(): StorageUnavailable {
    return new StorageUnavailable(`write-ahead log ${this.ctx.path} failed earlier; reopen the storage to recover`, {
      cause: this.#failure,
    });
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? error);
}
