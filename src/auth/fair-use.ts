import { GraphQLError } from 'graphql';

/** Caps of {@link FairUse}. */
export interface FairUseLimits {
  maxSocketsPerClient: number;
  maxSubscriptionsPerClient: number;
  /** 0: no limit. */
  requestsPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Fair-use accounting per client key (`key:<id>` / `jwt:<hash>` for a credential, `ip:<address>`
 * when auth is off), in this process only: open WebSockets, running subscriptions (WebSocket
 * and SSE), and a request rate (token bucket, burst of one second's worth). Several instances
 * each apply the caps on their own; it does NOT share counts through the storage.
 */
export class FairUse {
  readonly #sockets = new Map<string, number>();
  readonly #subscriptions = new Map<string, number>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: FairUseLimits,
    readonly now: () => number = Date.now,
  ) {}

  /** Counts a new socket; null when the client is at its cap, else the release function. */
  openSocket(client: string): (() => void) | null {
    return acquire(this.#sockets, client, this.limits.maxSocketsPerClient);
  }

  /** Counts a new subscription; throws TOO_MANY_SUBSCRIPTIONS at the cap, else returns the release function. */
  startSubscription(client: string): () => void {
    const release = acquire(this.#subscriptions, client, this.limits.maxSubscriptionsPerClient);
    if (!release) {
      throw new GraphQLError(`too many subscriptions for this credential (at most ${this.limits.maxSubscriptionsPerClient} at once)`, {
        extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
      });
    }
    return release;
  }

  /** Takes one request from the client's bucket; returns 0 when allowed, else the seconds to wait. */
  takeRequest(client: string): number {
    const rate = this.limits.requestsPerSecond;
    if (rate <= 0) return 0;
    const now = this.now();
    let bucket = this.#buckets.get(client);
    if (!bucket) {
      if (this.#buckets.size >= 100_000) this.#buckets.clear();
      bucket = { tokens: rate, at: now };
      this.#buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }

  /** Current subscriptions of a client, for tests. */
  subscriptions(client: string): number {
    return this.#subscriptions.get(client) ?? 0;
  }
}

function acquire(counts: Map<string, number>, client: string, max: number): (() => void) | null {
  const current = counts.get(client) ?? 0;
  if (current >= max) return null;
  counts.set(client, current + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (counts.get(client) ?? 1) - 1;
    if (n <= 0) counts.delete(client);
    else counts.set(client, n);
  };
}

/**
 * Wraps a subscription stream so `release` runs once when it ends (done, error or return).
 * A plain iterator, so a client's `complete` reaches the inner stream at once; a class, so an
 * idle subscription holds one small object rather than a closure per method (bench/README.md, "Live").
 */
export function releasingStream<T>(stream: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  return new ReleasingStream(stream[Symbol.asyncIterator](), release);
}

class ReleasingStream<T> implements AsyncIterableIterator<T> {
  constructor(
    readonly inner: AsyncIterator<T>,
    readonly release: () => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    try {
      const result = await this.inner.next();
      if (result.done) this.release();
      return result;
    } catch (error) {
      this.release();
      throw error;
    }
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.release();
    return (await this.inner.return?.(value)) ?? { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.release();
    if (this.inner.throw) return this.inner.throw(error);
    throw error;
  }
}
