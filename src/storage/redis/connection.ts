import {
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  createCluster,
  DisconnectsClientError,
  ErrorReply,
  MaxCommandRedirectionsError,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { CryoError, StorageUnavailable } from '../../domain/errors.js';
import { withTimeout } from '../../util/with-timeout.js';
import type { ScriptCall } from './scripts/lua-script.js';

/** The few node-redis calls the adapter makes, on a standalone client or a cluster. */
export interface RedisConnection {
  /** True for Redis Cluster: scripts then never touch keys of two slots. */
  readonly cluster: boolean;
  /** Sends one command; `key` routes it in a cluster. */
  send(key: string | undefined, args: string[], readonly?: boolean): Promise<unknown>;
  /** EVALSHA, or EVAL when the server lost its script cache (NOSCRIPT). */
  run(call: ScriptCall): Promise<unknown>;
  /**
   * Health check: PING on one server; in a cluster, PING on every master plus
   * `cluster_state:ok` (a cluster missing a master answers PING but fails keyed commands).
   */
  ping(): Promise<void>;
  /**
   * Every key matching `match` (SCAN on the server, or on every master of a cluster). For one-off
   * maintenance only (legacy-pointers.ts): it walks the whole keyspace.
   */
  scanKeys(match: string): Promise<string[]>;
  /** A new connection for pub/sub (the adapter owns it). */
  duplicate(): PubSubClient;
  /** Closes what this module opened; a lent client is left alone. */
  close(): Promise<void>;
}

/** The subset of a node-redis client (or cluster) the change feed uses. */
export interface PubSubClient {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string, listener?: (message: string) => void): Promise<void>;
  sSubscribe(channel: string, listener: (message: string) => void): Promise<void>;
  sUnsubscribe(channel: string, listener?: (message: string) => void): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): void;
  close(): Promise<void>;
}

/** How to reach Redis. */
export interface ConnectOptions {
  /** `redis://…` / `rediss://…` for one server. */
  url?: string;
  /** Cluster root nodes (`redis://h:p` each); set for Redis Cluster. */
  rootNodes?: string[];
  /** A client or cluster the caller owns and will close. */
  client?: unknown;
  /** Bound for the first connection. */
  connectTimeoutMs: number;
}

/** Reconnect forever with capped exponential backoff plus jitter (never gives up). */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2000) + Math.floor(Math.random() * 100);
}

interface StandaloneLike {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): unknown;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): void;
  close(): Promise<void>;
  isOpen: boolean;
}

interface ClusterLike {
  sendCommand(key: string | undefined, readonly: boolean | undefined, args: string[]): Promise<unknown>;
  nodeClient(node: unknown): Promise<{ sendCommand(args: string[]): Promise<unknown> }>;
  duplicate(overrides?: { minimizeConnections?: boolean }): unknown;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): void;
  close(): Promise<void>;
  isOpen: boolean;
  masters: unknown[];
}

const ignore = (): void => {};

/**
 * Opens a standalone client or a cluster client configured to fail fast: no offline queue
 * (commands during a reconnect fail at once), a connect timeout, and a reconnect strategy that
 * never gives up. Rejects with StorageUnavailable when the first connection does not succeed
 * within `connectTimeoutMs` (the client is then destroyed). Does NOT bound commands already
 * written to a live socket: callers add their own deadline.
 */
export async function connectRedis(options: ConnectOptions): Promise<RedisConnection> {
  const socket = { connectTimeout: options.connectTimeoutMs, reconnectStrategy: reconnectDelay };
  // node-redis' per-command timeout (an AbortSignal per command, default 5 s) only covers commands
  // not yet written; the adapter's own deadline covers the whole call, so it is switched off.
  const commandOptions = { timeout: 0 };
  let owned: StandaloneLike | ClusterLike;
  let cluster: boolean;
  if (options.client) {
    owned = options.client as StandaloneLike | ClusterLike;
    cluster = 'masters' in owned;
  } else if (options.rootNodes) {
    cluster = true;
    owned = createCluster({
      rootNodes: options.rootNodes.map((url) => ({ url })),
      defaults: { disableOfflineQueue: true, socket },
      commandOptions,
    }) as unknown as ClusterLike;
  } else {
    cluster = false;
    owned = createClient({ url: options.url, disableOfflineQueue: true, socket, commandOptions }) as unknown as StandaloneLike;
  }
  const lent = Boolean(options.client);
  if (!lent) {
    owned.on('error', ignore);
    const ms = options.connectTimeoutMs;
    try {
      await withTimeout(owned.connect(), ms, () => new StorageUnavailable(`redis did not accept a connection within ${ms} ms`));
    } catch (error) {
      owned.destroy();
      throw toStorageError(error);
    }
  }
  const send = cluster
    ? (key: string | undefined, args: string[], readonly?: boolean) => (owned as ClusterLike).sendCommand(key, readonly, args)
    : (_key: string | undefined, args: string[]) => (owned as StandaloneLike).sendCommand(args);
  return {
    cluster,
    send,
    async run({ script, keys, args }) {
      const tail = [String(keys.length), ...keys, ...args];
      try {
        return await send(keys[0], ['EVALSHA', script.sha, ...tail]);
      } catch (error) {
        if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) {
          return send(keys[0], ['EVAL', script.source, ...tail]);
        }
        throw error;
      }
    },
    async ping() {
      if (!cluster) {
        await send(undefined, ['PING']);
        return;
      }
      const nodes = owned as ClusterLike;
      await Promise.all(nodes.masters.map(async (master) => (await nodes.nodeClient(master)).sendCommand(['PING'])));
      const info = String(await nodes.sendCommand(undefined, true, ['CLUSTER', 'INFO']));
      if (!/cluster_state:ok/.test(info)) throw new StorageUnavailable('redis cluster state is not ok');
    },
    async scanKeys(match) {
      const nodes: { sendCommand(args: string[]): Promise<unknown> }[] = cluster
        ? await Promise.all((owned as ClusterLike).masters.map((master) => (owned as ClusterLike).nodeClient(master)))
        : [{ sendCommand: (args: string[]) => send(undefined, args) }];
      const found: string[] = [];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = (await node.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', '1000'])) as [string, string[]];
          cursor = String(next);
          found.push(...keys);
        } while (cursor !== '0');
      }
      return found;
    },
    duplicate() {
      // A cluster copy only needs the topology and the shards' pub/sub connections.
      const copy = (cluster ? (owned as ClusterLike).duplicate({ minimizeConnections: true }) : owned.duplicate()) as PubSubClient;
      copy.on('error', ignore);
      return copy;
    },
    async close() {
      if (lent) return;
      await closeBounded(owned, options.connectTimeoutMs);
    },
  };
}

/**
 * Closes a client gracefully (pending replies first), but destroys it when that takes longer
 * than `ms` (a hung or unreachable server). Never throws.
 */
export async function closeBounded(client: { close(): Promise<void>; destroy(): void; isOpen?: boolean }, ms: number): Promise<void> {
  if (client.isOpen === false) return;
  try {
    await withTimeout(client.close(), ms, () => new Error('close timed out'));
  } catch {
    try {
      client.destroy();
    } catch {
      // Already closed.
    }
  }
}

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|OOM|NOREPLICAS|MISCONF|MOVED|ASK)\b/;

/**
 * Maps what node-redis throws to Cryo errors: CryoErrors pass through; connection, timeout and
 * transient server replies (LOADING, BUSY, CLUSTERDOWN, OOM, …) become StorageUnavailable; any
 * other server reply (a bug: WRONGTYPE, script errors) and any other error is rethrown as is.
 */
export function toStorageError(error: unknown): Error {
  if (error instanceof CryoError) return error;
  if (error instanceof ErrorReply) {
    return UNAVAILABLE_REPLIES.test(error.message)
      ? new StorageUnavailable(`redis unavailable: ${error.message}`, { cause: error })
      : error;
  }
  if (CONNECTION_ERRORS.some((type) => error instanceof type) || isSystemError(error)) {
    return new StorageUnavailable(`redis unavailable: ${(error as Error).message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

const CONNECTION_ERRORS = [
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  MaxCommandRedirectionsError,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
];

function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}
