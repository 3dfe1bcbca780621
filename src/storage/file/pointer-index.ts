import { lowestPointerAtLife, type PointerHolder } from '../../domain/retention.js';

/** A checkpoint's pointer at a thread, as the reverse index holds it. */
export interface IndexedPointer extends PointerHolder {
  namespace: string;
  threadId: string;
  /** The life the checkpoint names; undefined for a pointer stored before lives (it matches every life). */
  life: string | undefined;
}

/**
 * The file adapter's reverse index thread → checkpoints pointing at it (docs/architecture.md,
 * "Retention"), so a trim finds the pointers that bound it without scanning checkpoints. Built
 * at open from the checkpoint files' key records, kept by the checkpoint store. A put adds its
 * new pointer BEFORE writing its file and removes the old one only once the file is replaced
 * (a failed put removes the new one), so while a put is in flight both bound trims: together
 * with the trim's synchronous check-and-reserve (thread-store.ts) this makes trims and puts
 * atomic with respect to each other. In memory only; does NOT persist anything.
 */
export class PointerIndex {
  /** [namespace, threadId] → the pointers at it (a checkpoint may hold two while its put is in flight). */
  readonly #threads = new Map<string, Set<IndexedPointer>>();

  add(pointer: IndexedPointer): void {
    const key = threadKey(pointer.namespace, pointer.threadId);
    let set = this.#threads.get(key);
    if (!set) this.#threads.set(key, (set = new Set()));
    set.add(pointer);
  }

  /** Removes exactly this pointer object (a no-op when it is not indexed). */
  remove(pointer: IndexedPointer): void {
    const key = threadKey(pointer.namespace, pointer.threadId);
    const set = this.#threads.get(key);
    set?.delete(pointer);
    if (set?.size === 0) this.#threads.delete(key);
  }

  /** The lowest pointer at this life of the thread (pointers without a life count for every life), or null. */
  lowest(namespace: string, threadId: string, life: string): PointerHolder | null {
    const set = this.#threads.get(threadKey(namespace, threadId));
    if (!set) return null;
    return lowestPointerAtLife(set, life);
  }
}

function threadKey(namespace: string, threadId: string): string {
  return JSON.stringify([namespace, threadId]);
}
