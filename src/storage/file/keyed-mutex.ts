/**
 * Runs tasks one at a time per key (FIFO), different keys concurrently. A failing task does not
 * block the next. Forgets a key when its queue empties. Does NOT time out or detect deadlocks
 * (a task must not wait for a later task of its own key).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks (for leak tests). */
  get size(): number {
    return this.#tails.size;
  }
}
