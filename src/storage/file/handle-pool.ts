import { open, type FileHandle } from 'node:fs/promises';

/** A borrowed open file; call `release()` exactly once when done. */
export interface Lease {
  readonly handle: FileHandle;
  release(): void;
}

interface Slot {
  opening: Promise<FileHandle>;
  handle: FileHandle | null;
  refs: number;
  /** Removed from the pool: close as soon as the last lease is released. */
  retired: boolean;
}

/**
 * Shares open file handles by path, so a thread's journal is not reopened on every append or
 * read, while keeping at most `maxIdle` unused handles open (least recently used ones are
 * closed first). A handle in use is never closed under its user. Does NOT limit handles in use.
 */
export class HandlePool {
  readonly #slots = new Map<string, Slot>();
  #idle = 0;

  constructor(readonly maxIdle = 256) {}

  /**
   * Borrows the handle of `path`, opening it with `flags` when none is open. A creating open
   * (`w…`) that joined another caller's open which failed with ENOENT (the file was deleted and
   * is being created again) opens again by itself.
   */
  async acquire(path: string, flags: string): Promise<Lease> {
    try {
      return await this.#acquire(path, flags);
    } catch (error) {
      if (!flags.startsWith('w') || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return this.#acquire(path, flags);
    }
  }

  async #acquire(path: string, flags: string): Promise<Lease> {
    let slot = this.#slots.get(path);
    if (slot) {
      this.#slots.delete(path);
      this.#slots.set(path, slot);
    } else {
      const opening = open(path, flags);
      slot = { opening, handle: null, refs: 0, retired: false };
      this.#slots.set(path, slot);
      const created = slot;
      opening.then(
        (handle) => (created.handle = handle),
        () => {
          if (this.#slots.get(path) === created) this.#slots.delete(path);
        },
      );
    }
    if (slot.refs++ === 0 && slot.handle) this.#idle--;
    let handle: FileHandle;
    try {
      handle = await slot.opening;
    } catch (error) {
      slot.refs--;
      throw error;
    }
    let released = false;
    const owner = slot;
    return {
      handle,
      release: () => {
        if (released) return;
        released = true;
        owner.refs--;
        if (owner.refs !== 0) return;
        if (owner.retired) void handle.close().catch(() => {});
        else {
          this.#idle++;
          this.#trim();
        }
      },
    };
  }

  /** Drops `path` from the pool (e.g. the file is being deleted); its handle closes when unused. */
  retire(path: string): void {
    const slot = this.#slots.get(path);
    if (!slot) return;
    this.#slots.delete(path);
    slot.retired = true;
    if (slot.refs === 0) {
      if (slot.handle) this.#idle--;
      void slot.opening.then((h) => h.close()).catch(() => {});
    }
  }

  /** Closes every handle. Callers must have released their leases. */
  async closeAll(): Promise<void> {
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    this.#idle = 0;
    await Promise.all(slots.map((slot) => slot.opening.then((h) => h.close()).catch(() => {})));
  }

  /** Handles currently open or opening (for tests). */
  get size(): number {
    return this.#slots.size;
  }

  #trim(): void {
    if (this.#idle <= this.maxIdle) return;
    for (const [path, slot] of this.#slots) {
      if (this.#idle <= this.maxIdle) break;
      if (slot.refs !== 0 || !slot.handle) continue;
      this.#slots.delete(path);
      this.#idle--;
      void slot.handle.close().catch(() => {});
    }
  }

  /** Idle handles (for tests). */
  get idle(): number {
    return this.#idle;
  }
}
