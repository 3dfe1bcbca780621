import type { ChangeEvent, ChangeFeed, Unsubscribe } from './types.js';

type Listener = (event: ChangeEvent) => void;

/**
 * An in-process ChangeFeed for adapters that live in one process (memory, file). Delivery is
 * synchronous, in commit order, to listeners registered before `publish`. A listener that throws
 * is isolated from the others. Promises nothing across processes.
 */
export class LocalChangeFeed implements ChangeFeed {
  readonly #threads = new Map<string, Set<Listener>>();
  readonly #checkpoints = new Map<string, Set<Listener>>();
  readonly #apiKeys = new Map<string, Set<Listener>>();

  subscribeThread(namespace: string, threadId: string, listener: Listener): Promise<Unsubscribe> {
    return Promise.resolve(add(this.#threads, JSON.stringify([namespace, threadId]), listener));
  }

  subscribeCheckpoints(namespace: string, listener: Listener): Promise<Unsubscribe> {
    return Promise.resolve(add(this.#checkpoints, namespace, listener));
  }

  subscribeApiKeys(listener: Listener): Promise<Unsubscribe> {
    return Promise.resolve(add(this.#apiKeys, '', listener));
  }

  /** Delivers a committed change to its listeners. */
  publish(event: ChangeEvent): void {
    // With no thread listener at all, a thread change skips building its key (the common case in batch writes).
    const listeners =
      event.type === 'api-key-revoked'
        ? this.#apiKeys.get('')
        : event.type === 'thread-appended' || event.type === 'thread-deleted' || event.type === 'thread-trimmed'
          ? this.#threads.size === 0
            ? undefined
            : this.#threads.get(JSON.stringify([event.namespace, event.threadId]))
          : this.#checkpoints.get(event.namespace);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not stop delivery to the others.
      }
    }
  }

  /** Number of active listeners, for leak tests. */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.#threads.values()) count += set.size;
    for (const set of this.#checkpoints.values()) count += set.size;
    for (const set of this.#apiKeys.values()) count += set.size;
    return count;
  }
}

function add(map: Map<string, Set<Listener>>, key: string, listener: Listener): Unsubscribe {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  const wrapped: Listener = (event) => listener(event);
  set.add(wrapped);
  return () => {
    const current = map.get(key);
    if (current?.delete(wrapped) && current.size === 0) map.delete(key);
    return Promise.resolve();
  };
}
