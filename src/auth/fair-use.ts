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
