import type pg from 'pg';
import { StorageUnavailable } from '../../domain/errors.js';
import type { ChangeEvent, ChangeFeed, Unsubscribe } from '../types.js';
import { apiKeyChannel, checkpointChannel, threadChannel } from './codec.js';
import { toStorageError } from './connection.js';

type Listener = (event: ChangeEvent) => void;

interface Channel {
  readonly listeners: Set<Listener>;
  ready: Promise<void>;
}

/** Options of {@link PostgresChangeFeed}. */
export interface PostgresChangeFeedOptions {
  /** The adapter's schema: part of every channel name. */
  schema: string;
  /** A new, unconnected client for LISTEN (never one from the pool). */
  open: () => pg.Client;
  /** Bound for connecting, LISTEN acknowledgements and the liveness check. */
  timeoutMs: number;
  /** Checks the pool; after a drop, `onStatus(true)` waits until it passes. */
  probe: () => Promise<void>;
  /** How often the LISTEN connection is checked with `SELECT 1`. @default max(5000, 2 × timeoutMs) */
  checkEveryMs?: number;
}

/**
 * ChangeFeed over LISTEN/NOTIFY, fed by the `pg_notify` inside each write's transaction, so every
 * process on the database sees every committed change (NOTIFY is delivered on commit only, in
 * commit order). One dedicated connection per feed (not from the pool), opened on first use; one
 * LISTEN per channel per process, shared by all local listeners (UNLISTEN when the last leaves).
 * `subscribe*` resolves only after the server acknowledged the LISTEN. Delivery is
 * at-most-once: while the connection is down notifications are lost; `onStatus` reports `false`
 * when it drops (or stops answering the periodic check) and `true` once it is reconnected,
 * re-LISTENed and the pool answers, so listeners re-read storage.
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly #options: PostgresChangeFeedOptions;
  readonly #channels = new Map<string, Channel>();
  readonly #status = new Set<(healthy: boolean) => void>();
  #client: Promise<pg.Client> | null = null;
  #raw: pg.Client | null = null;
  #healthy = true;
  #closed = false;
  #generation = 0;
  #check: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;

  constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
  }

  subscribeThread(namespace: string, threadId: string, listener: Listener): Promise<Unsubscribe> {
    const name = threadChannel(this.#options.schema, namespace, threadId);
    return this.#subscribe(name, (e) => {
      const ofThread = e.type === 'thread-appended' || e.type === 'thread-trimmed' || e.type === 'thread-deleted';
      if (ofThread && e.namespace === namespace && e.threadId === threadId) listener(e);
    });
  }

  subscribeCheckpoints(namespace: string, listener: Listener): Promise<Unsubscribe> {
    return this.#subscribe(checkpointChannel(this.#options.schema, namespace), (e) => {
      if ((e.type === 'checkpoint-saved' || e.type === 'checkpoint-deleted') && e.namespace === namespace) listener(e);
    });
  }

  subscribeApiKeys(listener: Listener): Promise<Unsubscribe> {
    return this.#subscribe(apiKeyChannel(this.#options.schema), (e) => {
      if (e.type === 'api-key-revoked') listener(e);
    });
  }

  onStatus(listener: (healthy: boolean) => void): () => void {
    this.#status.add(listener);
    return () => void this.#status.delete(listener);
  }

  /** Number of channels this process LISTENs to, for leak tests. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** The backend pid of the LISTEN connection (null when not connected), for fault tests. */
  get listenerPid(): number | null {
    return (this.#raw as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /** Closes the LISTEN connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    this.#status.clear();
    if (this.#check) clearInterval(this.#check);
    if (this.#retry) clearTimeout(this.#retry);
    const raw = this.#raw;
    this.#raw = null;
    this.#client = null;
    if (raw) await endBounded(raw, this.#options.timeoutMs);
  }

  async #subscribe(name: string, listener: Listener): Promise<Unsubscribe> {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    const wrapped: Listener = (event) => listener(event);
    let channel = this.#channels.get(name);
    if (!channel) {
      const created: Channel = { listeners: new Set(), ready: Promise.resolve() };
      created.ready = this.#connect().then((client) => listen(client, name));
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
      try {
        await withTimeout(client.query(`UNLISTEN "${name}"`), this.#options.timeoutMs, 'postgres did not acknowledge UNLISTEN');
      } catch {
        // Down or hung: the listener is gone locally; the server drops the LISTEN with the connection.
      }
    };
    try {
      await withTimeout(current.ready, this.#options.timeoutMs, 'postgres did not acknowledge LISTEN');
      if (!this.#healthy) throw new StorageUnavailable('postgres change feed is reconnecting');
    } catch (error) {
      void unsubscribe();
      throw toStorageError(error);
    }
    return unsubscribe;
  }

  #connect(): Promise<pg.Client> {
    if (!this.#client) {
      const client = this.#options.open();
      this.#raw = client;
      client.on('notification', (message) => this.#deliver(message.channel, message.payload));
      client.on('error', () => this.#lost(client));
      client.on('end', () => this.#lost(client));
      this.#client = client.connect().then(
        async () => {
          // After a reconnect: LISTEN again to everything the process still wants.
          for (const name of this.#channels.keys()) await listen(client, name);
          if (!this.#check) this.#startChecks();
          return client;
        },
        (error: unknown) => {
          if (this.#raw === client) {
            this.#raw = null;
            this.#client = null;
          }
          void client.end().catch(() => {});
          throw error;
        },
      );
    }
    return this.#client;
  }

  /** The LISTEN connection died: report it, then reconnect with backoff until it works (or close). */
  #lost(client: pg.Client): void {
    if (this.#raw !== client || this.#closed) return;
    this.#raw = null;
    this.#client = null;
    this.#generation++;
    destroy(client);
    this.#setHealthy(false);
    void this.#reconnect(this.#generation, 0);
  }

  async #reconnect(generation: number, attempt: number): Promise<void> {
    if (this.#closed || generation !== this.#generation) return;
    try {
      await withTimeout(this.#connect(), this.#options.timeoutMs, 'postgres did not accept a LISTEN connection');
      await withTimeout(this.#options.probe(), this.#options.timeoutMs, 'postgres did not answer');
      if (generation === this.#generation) this.#setHealthy(true);
    } catch {
      if (this.#closed || generation !== this.#generation) return;
      const failed = this.#raw;
      if (failed) {
        this.#raw = null;
        this.#client = null;
        destroy(failed);
      }
      await new Promise<void>((resolve) => {
        this.#retry = setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000) + Math.floor(Math.random() * 50));
      });
      await this.#reconnect(generation, attempt + 1);
    }
  }

  /** A connection can die silently (a hung server, a cut network): ask it something now and then. */
  #startChecks(): void {
    const every = this.#options.checkEveryMs ?? Math.max(5000, 2 * this.#options.timeoutMs);
    this.#check = setInterval(() => {
      const client = this.#raw;
      if (!client || !this.#healthy) return;
      withTimeout(client.query('SELECT 1'), this.#options.timeoutMs, 'no answer').catch(() => this.#lost(client));
    }, every);
    this.#check.unref();
  }

  #deliver(name: string, payload: string | undefined): void {
    const channel = this.#channels.get(name);
    if (!channel || payload === undefined) return;
    let event: ChangeEvent;
    try {
      event = JSON.parse(payload) as ChangeEvent;
    } catch {
      return;
    }
    for (const listener of [...channel.listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not stop delivery to the others.
      }
    }
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

async function listen(client: pg.Client, name: string): Promise<void> {
  await client.query(`LISTEN "${name}"`);
}

function destroy(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  try {
    stream?.destroy();
  } catch {
    // Already gone.
  }
  void client.end().catch(() => {});
}

/** Ends a client gracefully, or destroys its socket when that takes longer than `ms`. Never throws. */
export async function endBounded(client: pg.Client, ms: number): Promise<void> {
  try {
    await withTimeout(client.end(), ms, 'close timed out');
  } catch {
    destroy(client);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageUnavailable(`${message} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
