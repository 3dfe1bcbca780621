import type { ChangeEvent, Unsubscribe } from '../storage/types.js';

type ChangeListener = (event: ChangeEvent) => void;

/**
 * What the two watchers (one thread, one namespace's checkpoints) share: one ChangeFeed listener,
 * the set of local subscribers it serves, and the count the LiveHub keeps of them (including
 * subscribers still being set up), so the hub can close the watcher with its last subscriber.
 * Subscribers and the count are private: the hub asks through retain/release/add/remove.
 * It does NOT read storage: subclasses do, in `onEvent`.
 */
export abstract class FeedWatcher<Subscriber> {
  /** Resolves once the ChangeFeed listener is active. */
  readonly ready: Promise<void>;
  /** The local subscribers served now (read by subclasses only). */
  protected readonly subscribers = new Set<Subscriber>();
  #refs = 0;
  #unsubscribe: Unsubscribe | null = null;
  #closed = false;

  /** @param listen starts the ChangeFeed listener (subscribeThread or subscribeCheckpoints). */
  constructor(listen: (listener: ChangeListener) => Promise<Unsubscribe>) {
    this.ready = listen((event) => {
      if (!this.#closed) this.onEvent(event);
    }).then(async (unsubscribe) => {
      if (this.#closed) await unsubscribe();
      else this.#unsubscribe = unsubscribe;
    });
  }

  /** True once close() was called. */
  protected get closed(): boolean {
    return this.#closed;
  }

  /** Handles one change notification (never called after close()). */
  protected abstract onEvent(event: ChangeEvent): void;

  /** Counts one more subscriber being set up (the hub keeps the watcher while any is counted). */
  retain(): void {
    this.#refs++;
  }

  /** Uncounts one subscriber; true when it was the last (the hub then closes the watcher). */
  release(): boolean {
    return --this.#refs <= 0;
  }

  /** Starts serving `subscriber`. */
  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
  }

  /** Stops serving `subscriber`. */
  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
  }

  /** Stops listening and forgets every subscriber. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.subscribers.clear();
    await this.ready.catch(() => undefined);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = null;
    await unsubscribe?.();
  }
}
