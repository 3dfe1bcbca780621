import { StorageUnavailable } from '../../domain/errors.js';
import { withTimeout } from '../../util/with-timeout.js';
import type { ChangeEvent, ChangeFeed, Unsubscribe } from '../types.js';
import { closeBounded, toStorageError, type PubSubClient } from './connection.js';
import type { RedisKeys } from './keys.js';

type Listener = (event: ChangeEvent) => void;

interface Channel {
  readonly listeners: Set<Listener>;
  readonly handler: (message: string) => void;
  ready: Promise<void>;
}

/** Options of {@link RedisChangeFeed}. */
export interface RedisChangeFeedOptions {
  keys: RedisKeys;
  /** Opens the subscriber connection (called once, on the first subscription). */
  open: () => PubSubClient;
  /** Cluster: sharded pub/sub (SSUBSCRIBE), matching the scripts' SPUBLISH. */
  sharded: boolean;
  /** Bound for a SUBSCRIBE acknowledgement. */
  timeoutMs: number;
  /**
   * Checks the command connection; after a drop, `onStatus(true)` waits until it passes, so
   * listeners that re-read storage on recovery do not hit a connection still reconnecting.
   */
  probe?: () => Promise<void>;
}

/**
 * ChangeFeed over Redis pub/sub, fed by the PUBLISH/SPUBLISH inside the write scripts, so every
 * process sharing the Redis sees every committed change. One subscriber connection per feed,
 * opened on first use; one SUBSCRIBE per channel per process, shared by all local listeners
 * (ref-counted; UNSUBSCRIBE when the last leaves). `subscribe*` resolves only after Redis
 * acknowledged the SUBSCRIBE. Delivery is at-most-once: while the subscriber connection is
 * down, messages are lost; `onStatus` reports `false` when it drops and `true` once it is back
 * and re-subscribed, so listeners re-read storage. In a cluster, `true` follows the node
 * client's `ready`, which is a weaker signal (documented in README.md).
 */
export class RedisChangeFeed implements ChangeFeed {
  readonly #options: RedisChangeFeedOptions;
  readonly #channels = new Map<string, Channel>();
  readonly #status = new Set<(healthy: boolean) => void>();
  #client: Promise<PubSubClient> | null = null;
  #raw: PubSubClient | null = null;
  #healthy = true;
  #closed = false;
  #generation = 0;

  constructor(options: RedisChangeFeedOptions) {
    this.#options = options;
  }

  subscribeThread(namespace: string, threadId: string, listener: Listener): Promise<Unsubscribe> {
    return this.#subscribe(this.#options.keys.threadChannel(namespace, threadId), listener);
  }

  subscribeCheckpoints(namespace: string, listener: Listener): Promise<Unsubscribe> {
    return this.#subscribe(this.#options.keys.checkpointChannel(namespace), listener);
  }

  subscribeApiKeys(listener: Listener): Promise<Unsubscribe> {
    return this.#subscribe(this.#options.keys.apiKeyChannel(), listener);
  }

  onStatus(listener: (healthy: boolean) => void): () => void {
    this.#status.add(listener);
    return () => void this.#status.delete(listener);
  }

  /** Number of Redis channels this process is subscribed to, for leak tests. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Closes the subscriber connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    this.#status.clear();
    const raw = this.#raw;
    this.#raw = null;
    this.#client = null;
    if (raw) await closeBounded(raw, this.#options.timeoutMs);
  }

  async #subscribe(name: string, listener: Listener): Promise<Unsubscribe> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    const wrapped: Listener = (event) => listener(event);
    let channel = this.#channels.get(name);
    if (!channel) {
      const listeners = new Set<Listener>();
      const handler = (message: string): void => deliver(listeners, message);
      const created: Channel = { listeners, handler, ready: Promise.resolve() };
      created.ready = this.#connect().then((client) =>
        this.#options.sharded ? client.sSubscribe(name, handler) : client.subscribe(name, handler),
      );
      created.ready.catch(() => {
        if (this.#channels.get(name) === created) this.#channels.delete(name);
      });
      channel = created;
      this.#channels.set(name, channel);
    }
    channel.listeners.add(wrapped);
    const current = channel;
    let active = true;
    const unsubscribe: Unsubscribe = async () => {
      if (!active) return;
      active = false;
      current.listeners.delete(wrapped);
      if (current.listeners.size > 0 || this.#channels.get(name) !== current) return;
      this.#channels.delete(name);
      const client = this.#raw;
      if (!client) return;
      const sent = this.#options.sharded ? client.sUnsubscribe(name, current.handler) : client.unsubscribe(name, current.handler);
      try {
        await within(sent, this.#options.timeoutMs, 'redis did not acknowledge UNSUBSCRIBE');
      } catch {
        // Down or hung: the listener is gone locally; the server drops the channel with the connection.
      }
    };
    try {
      await within(current.ready, this.#options.timeoutMs, 'redis did not acknowledge SUBSCRIBE');
      // An earlier SUBSCRIBE of this channel died with the connection: not active until re-subscribed.
      if (!this.#healthy) throw new StorageUnavailable('redis change feed is reconnecting');
    } catch (error) {
      void unsubscribe();
      throw toStorageError(error);
    }
    return unsubscribe;
  }

  #connect(): Promise<PubSubClient> {
    if (!this.#client) {
      const client = this.#options.open();
      this.#raw = client;
      const down = (): void => {
        this.#generation++;
        this.#setHealthy(false);
      };
      // A dropped connection always goes through 'reconnecting' (after 'error'); 'error' alone
      // (e.g. a bad reply) does not mean the subscriptions are gone.
      client.on('reconnecting', down);
      client.on('end', down);
      client.on('node-reconnecting', down);
      // Not 'node-disconnect': a cluster closes a shard's pub/sub client when its last channel leaves.
      client.on('ready', () => void this.#recovered());
      client.on('node-ready', () => void this.#recovered());
      this.#client = client.connect().then(
        () => client,
        (error: unknown) => {
          this.#client = null;
          this.#raw = null;
          client.destroy();
          throw error;
        },
      );
    }
    return this.#client;
  }

  /** The subscriber is back and re-subscribed: report healthy once the command connection answers too. */
  async #recovered(): Promise<void> {
    if (this.#healthy) return;
    const generation = this.#generation;
    const probe = this.#options.probe;
    for (let attempt = 0; probe; attempt++) {
      try {
        await within(probe(), this.#options.timeoutMs, 'redis did not answer PING');
        break;
      } catch {
        if (this.#closed || generation !== this.#generation) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
        if (this.#closed || generation !== this.#generation) return;
      }
    }
    if (generation === this.#generation) this.#setHealthy(true);
  }

  #setHealthy(healthy: boolean): void {
    if (this.#healthy === healthy || this.#closed) return;
    this.#healthy = healthy;
    for (const listener of [...this.#status]) {
      try {
        listener(healthy);
      } catch {
        // A faulty status listener must not stop the others.
      }
    }
  }
}

function deliver(listeners: Set<Listener>, message: string): void {
  let event: ChangeEvent;
  try {
    event = JSON.parse(message) as ChangeEvent;
  } catch {
    return;
  }
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch {
      // A faulty listener must not stop delivery to the others.
    }
  }
}

/** `promise`, or StorageUnavailable "<what> within <ms> ms" once `ms` pass. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(promise, ms, () => new StorageUnavailable(`${what} within ${ms} ms`));
}
