import type { ChangeEvent, ChangeFeed, Storage, Unsubscribe } from '../../src/storage/types.js';

/** A ChangeFeed that can "lose its connection": while down, events are dropped; status changes are reported. */
export class LossyFeed implements ChangeFeed {
  #down = false;
  readonly #status = new Set<(healthy: boolean) => void>();

  constructor(readonly inner: ChangeFeed) {}

  subscribeThread(namespace: string, threadId: string, listener: (event: ChangeEvent) => void): Promise<Unsubscribe> {
    return this.inner.subscribeThread(namespace, threadId, (event) => this.#down || listener(event));
  }

  subscribeCheckpoints(namespace: string, listener: (event: ChangeEvent) => void): Promise<Unsubscribe> {
    return this.inner.subscribeCheckpoints(namespace, (event) => this.#down || listener(event));
  }

  subscribeApiKeys(listener: (event: ChangeEvent) => void): Promise<Unsubscribe> {
    return this.inner.subscribeApiKeys((event) => this.#down || listener(event));
  }

  onStatus(listener: (healthy: boolean) => void): () => void {
    this.#status.add(listener);
    return () => this.#status.delete(listener);
  }

  get statusListeners(): number {
    return this.#status.size;
  }

  setHealthy(healthy: boolean): void {
    this.#down = !healthy;
    for (const listener of [...this.#status]) listener(healthy);
  }
}

/** The same storage with another `changes` feed and a count of each method's calls. */
export function wrapStorage(storage: Storage, changes: ChangeFeed = storage.changes): { storage: Storage; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = new Proxy(storage, {
    get(target, prop) {
      if (prop === 'changes') return changes;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage: wrapped, calls };
}
