import type { FileHandle } from 'node:fs/promises';

/** The two flushes group commit issues; replaceable for fault-injection tests. */
export interface SyncIo {
  /** Flushes a file's data and the metadata needed to read it (size). @default handle.datasync() */
  datasync(handle: FileHandle): Promise<void>;
  /** Flushes everything, for directories. @default handle.sync() */
  fsync(handle: FileHandle): Promise<void>;
}

/** Counters of group commit, for benchmarks and tests. */
export interface GroupCommitStats {
  /** Sync requests made (one per durable write: append, checkpoint file, directory change). */
  requests: number;
  /** Flush rounds run; every request waits for exactly one round. */
  rounds: number;
  /** fsync/fdatasync calls issued (one per dirty file per round). */
  syncCalls: number;
}

interface Pending {
  full: boolean;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Group commit: callers that have written to a file ask for it to be flushed; requests that
 * arrive while a round is in flight are collected and served by ONE next round, which flushes
 * each dirty file once (files in parallel). A request resolves only after a flush that started
 * after the request, and rejects with that flush's error. Does NOT retry a failed flush: after
 * an fsync error the page cache may have dropped the data, so callers must treat the file as
 * failed.
 */
export class GroupCommit {
  #pending = new Map<FileHandle, Pending>();
  #running: Promise<void> | null = null;
  readonly #io: SyncIo;
  readonly stats: GroupCommitStats = { requests: 0, rounds: 0, syncCalls: 0 };

  constructor(io: Partial<SyncIo> = {}) {
    this.#io = {
      datasync: io.datasync ?? ((handle) => handle.datasync()),
      fsync: io.fsync ?? ((handle) => handle.sync()),
    };
  }

  /** Resolves once `handle` was flushed by a round that began after this call. `full` = fsync (directories). */
  sync(handle: FileHandle, full = false): Promise<void> {
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      let pending = this.#pending.get(handle);
      if (!pending) this.#pending.set(handle, (pending = { full, waiters: [] }));
      pending.full ||= full;
      pending.waiters.push({ resolve, reject });
      this.#running ??= this.#loop();
    });
  }

  /** Resolves when no round is running or queued. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    // Let writes that finish in this same turn of the event loop join the first round.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#pending.size > 0) {
      const batch = this.#pending;
      this.#pending = new Map();
      this.stats.rounds++;
      await Promise.all([...batch].map(([handle, pending]) => this.#flush(handle, pending)));
    }
    this.#running = null;
  }

  async #flush(handle: FileHandle, pending: Pending): Promise<void> {
    this.stats.syncCalls++;
    try {
      await (pending.full ? this.#io.fsync(handle) : this.#io.datasync(handle));
    } catch (error) {
      for (const waiter of pending.waiters) waiter.reject(error);
      return;
    }
    for (const waiter of pending.waiters) waiter.resolve();
  }
}
