/** The result that ends iteration. */
export const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * The async-iterator side both subscription kinds share: `next()` calls run one at a time in
 * call order, `return()`/`throw()` end the stream (the subclass drops what it queued and the hub
 * is told through `onEnd`), a pull with nothing to give waits for `wake()`, and `fail(error)`
 * makes the stream end by throwing that error once what was queued before it is delivered.
 * Deliberately not an async generator: a generator would queue `return()` behind a pending
 * `next()`, so a client's `complete` would not reach the subscription until its next event.
 */
export abstract class PullStream<T> implements AsyncIterableIterator<T> {
  #chain: Promise<unknown> = Promise.resolve();
  #waiter: (() => void) | null = null;
  #ended = false;
  #error: { error: unknown } | null = null;
  #onEnded: (() => void) | null = null;
  /** next() calls not settled yet. */
  #pending = 0;

  /** True once the stream ended (returned, thrown, or failed and delivered its error). */
  protected get ended(): boolean {
    return this.#ended;
  }

  /** True once fail() was called. */
  protected get failed(): boolean {
    return this.#error !== null;
  }

  /** Ends the stream with `error` after the items already queued; the first error wins. */
  fail(error: unknown): void {
    this.#error ??= { error };
    this.wake();
  }

  /**
   * Runs `callback` once when the stream ends, however it ends (returned, thrown, failed, or
   * completed after ThreadDeleted) — at once when it already ended. One callback per stream (a
   * second replaces the first). It saves a wrapping iterator (and its promise hop per event) to
   * callers that only need to know the end, e.g. to release a fair-use slot (bench/README.md, "Live").
   */
  onEnded(callback: () => void): void {
    if (this.#ended) callback();
    else this.#onEnded = callback;
  }

  /** Wakes a pull waiting for something to happen. */
  wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  next(): Promise<IteratorResult<T>> {
    // Fast path: no earlier call pending and an item ready — hand it over without the chain
    // (a burst's entries reach each subscriber with one promise each; bench/README.md, "Live").
    if (this.#pending === 0 && !this.#ended) {
      const value = this.takeReady();
      if (value !== undefined) return Promise.resolve({ value, done: false });
    }
    this.#pending++;
    const result = this.#chain.then(() => (this.#ended ? DONE : this.pull()));
    this.#chain = result.then(this.#settled, this.#settled);
    return result;
  }

  readonly #settled = (): void => {
    this.#pending--;
  };

  async return(): Promise<IteratorResult<T>> {
    await this.end();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next item if one is queued and can be handed over at once (what `pull` would return
   * first), else undefined; called only when no pull is running and the stream has not ended.
   * The default never has one.
   */
  protected takeReady(): T | undefined {
    return undefined;
  }

  /** The next item, or DONE; called one at a time, never after the end. */
  protected abstract pull(): Promise<IteratorResult<T>>;

  /** Drops whatever is queued (the stream ended). */
  protected abstract clear(): void;

  /** Called once when the stream ends, however it ends (the hub forgets it). */
  protected abstract released(): Promise<void>;

  /** Resolves at the next wake(). */
  protected waitForWake(): Promise<void> {
    return new Promise<void>((resolve) => (this.#waiter = resolve));
  }

  /**
   * Ends the stream and throws the error fail() was given. Call it only when `failed`, and
   * check `failed` without awaiting first: a wake() between that check and waitForWake() would
   * otherwise be lost.
   */
  protected async endWithError(): Promise<never> {
    const { error } = this.#error!;
    await this.end();
    throw error;
  }

  /** Ends the stream once: drops the queue, wakes a waiting pull, tells the hub. */
  protected async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.clear();
    this.wake();
    const onEnded = this.#onEnded;
    this.#onEnded = null;
    onEnded?.();
    await this.released();
  }
}
