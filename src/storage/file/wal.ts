import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageUnavailable } from '../../domain/errors.js';
import { describeIoError, writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import { walSegmentName } from './names.js';
import { encodeRecord, RecordType } from './record-codec.js';
import { takeBatch } from './take-batch.js';

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

/** What the log needs. */
export interface WalContext {
  /** The data directory, where the segments live. */
  directory: string;
  /** The data directory, opened: flushed after a segment is created or removed. */
  dataDir: FileHandle;
  /** Writes and truncates of the log (fault tests inject here). */
  io: FileIo;
  /** Flushes the log: one fdatasync per round for everything written before the round. */
  commit: GroupCommit;
  /** Flushes thread files and the threads directory at a checkpoint. */
  threadCommit: GroupCommit;
  threadsDir: FileHandle;
  /** Once the current segment is this long, the next write goes to a new one and the old one is checkpointed. */
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

interface Segment {
  generation: number;
  path: string;
  handle: FileHandle;
  size: number;
  /** Journals written while this segment was current. */
  dirty: Set<string>;
  /** A journal was created while this segment was current. */
  dirChanged: boolean;
  /** The last flush requested on it (never rejects). */
  lastFlush: Promise<void>;
}

/** Log writes are combined up to this many bytes per write call. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/**
 * Journals flushed at once by a background checkpoint. Small, because flushes share libuv's
 * thread pool with the appends' own writes and log flushes, which keep running meanwhile.
 */
const CHECKPOINT_PARALLEL = 2;
/** Journals flushed at once by the checkpoint of close (nothing else runs then). */
const CLOSE_PARALLEL = 16;

/**
 * The shared write-ahead log of `durability: 'wal'`: every thread write is also appended here,
 * and an append is acknowledged once the log is flushed, so concurrent appends on ANY threads
 * share one fdatasync per round. Log writes are serialized and combined (one write call per
 * batch). The log is a series of segment files `WAL.<generation>`. When the current segment
 * reaches `maxBytes`, it is flushed, a new segment is created (and the directory flushed), and
 * writes continue there at once while the old segment is checkpointed in the background:
 * every journal written while it was current is flushed (and the threads directory if journals
 * were created), then the segment is removed. Close checkpoints the current segment too, so a
 * clean close leaves no segment. Open replays what segments remain (`wal-replay.ts`). A failed
 * log write is cut back and rejected (nothing acknowledged); a failed cut-back, log flush or
 * checkpoint fences the log: every later append is refused until the storage is reopened
 * (which replays the log). Does NOT bound recovery time other than through `maxBytes` (one
 * checkpoint runs at a time; the log grows past it while one is running), and does NOT flush on
 * a timer.
 */
export class WriteAheadLog {
  #current: Segment;
  #queue: Request[] = [];
  #running: Promise<void> | null = null;
  #retiring: Promise<void> | null = null;
  #failure: unknown = null;
  #closed = false;
  /** Checkpoints completed (segments removed). */
  checkpoints = 0;

  private constructor(
    readonly ctx: WalContext,
    first: Segment,
  ) {
    this.#current = first;
  }

  /** Creates segment `generation` (which must not exist yet), flushes the directory, and writes there. */
  static async create(ctx: WalContext, generation: number): Promise<WriteAheadLog> {
    return new WriteAheadLog(ctx, await createSegment(ctx, generation));
  }

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

  /**
   * Writes a reset marker for the thread (its journal was flushed on its own and is about to be
   * rewritten: earlier log records of it must not be replayed) and resolves once it is flushed.
   */
  async reset(ns: string, id: string): Promise<void> {
    const { flushed } = await this.#enqueue(encodeRecord(RecordType.WalReset, 0, { ns, id } satisfies WalDeletePayload), null, false);
    await flushed;
  }

  /**
   * Waits for queued writes and a running checkpoint, then (unless the log is fenced, in which
   * case it is left for the next open to replay) checkpoints the current segment, which removes
   * it. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#running) await this.#running;
    while (this.#retiring) await this.#retiring;
    if (this.#failure === null) {
      try {
        await this.#retire(this.#current, CLOSE_PARALLEL);
        return;
      } catch {
        // fenced: the segment stays as it is and the next open replays it
      }
    }
    await this.#current.handle.close().catch(() => {});
  }

  #enqueue(buffer: Buffer, path: string | null, created: boolean): Promise<Written> {
    if (this.#failure !== null) return Promise.reject(this.#failureError());
    if (this.#closed) return Promise.reject(new StorageUnavailable(`write-ahead log in ${this.ctx.directory} is closed`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ buffer, path, created, resolve, reject });
      this.#running ??= this.#loop();
    });
  }

  async #loop(): Promise<void> {
    // Requests that arrive while a batch is being written form the next batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      if (this.#failure === null && this.#current.size >= this.ctx.maxBytes && !this.#retiring) {
        try {
          await this.#rotate();
        } catch (error) {
          this.#failure ??= error;
        }
      }
      if (this.#failure !== null) {
        const error = this.#failureError();
        for (const r of this.#queue.splice(0)) r.reject(error);
        break;
      }
      await this.#writeBatch(takeBatch(this.#queue, MAX_BATCH_BYTES));
    }
    this.#running = null;
  }

  async #writeBatch(batch: Request[]): Promise<void> {
    const { io, commit } = this.ctx;
    const segment = this.#current;
    const start = segment.size;
    const buffer = batch.length === 1 ? batch[0]!.buffer : Buffer.concat(batch.map((r) => r.buffer));
    try {
      await writeFully(io, segment.handle, buffer, start);
    } catch (error) {
      const failure = new StorageUnavailable(`write to ${segment.path} failed: ${describeIoError(error)}`, { cause: error });
      for (const r of batch) r.reject(failure);
      try {
        await io.truncate(segment.handle, start);
      } catch (truncateError) {
        this.#failure ??= truncateError;
      }
      return;
    }
    segment.size = start + buffer.length;
    for (const r of batch) {
      if (r.path !== null) segment.dirty.add(r.path);
      segment.dirChanged ||= r.created;
    }
    const flushed = commit.sync(segment.handle).catch((error: unknown) => {
      this.#failure ??= error;
      throw new StorageUnavailable(`flush of ${segment.path} failed: ${describeIoError(error)}`, { cause: error });
    });
    segment.lastFlush = flushed.catch(() => {});
    for (const r of batch) r.resolve({ flushed });
  }

  /**
   * Switches writes to a new segment. The old one is flushed first, so nothing written to the new
   * segment can be durable while something before it is not; then it is checkpointed in the
   * background.
   */
  async #rotate(): Promise<void> {
    const old = this.#current;
    await this.ctx.commit.sync(old.handle);
    this.#current = await createSegment(this.ctx, old.generation + 1);
    const retiring = this.#retire(old, CHECKPOINT_PARALLEL).catch((error: unknown) => {
      this.#failure ??= error;
    });
    this.#retiring = retiring.finally(() => {
      this.#retiring = null;
    });
  }

  /**
   * Makes every journal written while `segment` was current durable on its own, then removes the
   * segment (and flushes the directory, so it cannot reappear after a later segment is gone).
   * Throws on any failure, leaving the segment in place (the caller fences the log; nothing is
   * lost: the segment still holds everything).
   */
  async #retire(segment: Segment, parallel: number): Promise<void> {
    const { threadCommit, threadsDir, commit, dataDir } = this.ctx;
    try {
      const paths = [...segment.dirty];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < paths.length) {
          const file = paths[next++]!;
          // Its own descriptor, not the pool's: a failed open here must not be shared with an
          // append creating the file again. fsync flushes the file, whichever descriptor asks.
          let handle;
          try {
            handle = await open(file, 'r');
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted since
            throw error;
          }
          try {
            await threadCommit.sync(handle);
          } finally {
            await handle.close();
          }
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      if (segment.dirChanged) await threadCommit.sync(threadsDir, true);
      await segment.lastFlush;
    } finally {
      await segment.handle.close().catch(() => {});
    }
    await unlink(segment.path);
    await commit.sync(dataDir, true);
    this.checkpoints++;
  }

  #failureError(): StorageUnavailable {
    return new StorageUnavailable(`write-ahead log in ${this.ctx.directory} failed earlier; reopen the storage to recover`, {
      cause: this.#failure,
    });
  }
}

/** Creates an empty segment file (failing if it exists) and flushes the directory so it stays. */
async function createSegment(ctx: WalContext, generation: number): Promise<Segment> {
  const path = join(ctx.directory, walSegmentName(generation));
  const handle = await open(path, 'wx+');
  try {
    await ctx.commit.sync(ctx.dataDir, true);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  return { generation, path, handle, size: 0, dirty: new Set(), dirChanged: false, lastFlush: Promise.resolve() };
}
