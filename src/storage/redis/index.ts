import { DEFAULT_LIMITS, type Limits } from '../../domain/limits.js';
import { ValidationError } from '../../domain/errors.js';
import type { Storage } from '../types.js';
import { parseStorageUrl } from '../url.js';
import { AppendBatcher } from './append-batcher.js';
import { RedisChangeFeed } from './change-feed.js';
import { connectRedis, toStorageError } from './connection.js';
import { registerLegacyPointers } from './legacy-pointers.js';
import { redisKeys } from './keys.js';
import { RedisStorage } from './storage.js';

/** Options of {@link createRedisStorage}. */
export interface RedisStorageOptions {
  /**
   * `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS), or
   * `redis+cluster://[user:pass@]host:port,host:port,…` (Redis Cluster root nodes;
   * `rediss+cluster://` for TLS).
   * Ignored when `client` is given.
   */
  url?: string;
  /**
   * Redis Cluster: `true` treats `url` as one root node; `{ rootNodes }` lists them
   * (`redis://host:port` each). A `redis+cluster://` URL implies it. @default false
   */
  cluster?: boolean | { rootNodes: string[] };
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** First part of every key and channel; must not contain `{` or `}`. @default "cryo" */
  keyPrefix?: string;
  /**
   * Bound for every call (all its round trips) and for the first connection; past it the call
   * fails with StorageUnavailable (a write may or may not have been applied: retry with
   * expectedRev and entry ids to make it exactly-once). @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * A connected node-redis client or cluster the caller owns: used as is (its own offline-queue
   * and reconnect settings apply), never closed by the adapter. The change feed duplicates it.
   */
  client?: unknown;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
}

/**
 * The cluster root node URLs the options name, or undefined for one standalone Redis: the
 * `rootNodes` given, the nodes of a `redis+cluster://` or `rediss+cluster://` URL (parsed by
 * parseStorageUrl, so TLS and credentials carry over to every node), or the url itself with
 * `cluster: true`. Throws ValidationError for a malformed cluster URL.
 */
export function clusterRootNodes(options: Pick<RedisStorageOptions, 'url' | 'cluster'>): string[] | undefined {
  if (typeof options.cluster === 'object') return options.cluster.rootNodes;
  if (options.url !== undefined && /^rediss?\+cluster:/i.test(options.url)) {
    const location = parseStorageUrl(options.url);
    if (location.kind === 'redis') return location.nodes;
  }
  if (options.cluster === true && options.url) return [options.url];
  return undefined;
}

/**
 * Opens the Redis storage (kind "redis"): shared by any number of processes on one Redis or
 * Redis Cluster. Each write is one atomic Lua script (revision check, idempotent-retry rule,
 * write, notification). Resolves once connected; rejects with StorageUnavailable when Redis does
 * not accept a connection within `commandTimeoutMs`. Afterwards, calls fail within
 * `commandTimeoutMs` with StorageUnavailable while Redis is unreachable and work again, without
 * a restart, once it is back. Durability is Redis's: see README.md (appendonly/appendfsync).
 * The first open of a key prefix by this version registers the pointers of checkpoints written
 * before the reverse index existed (legacy-pointers.ts; one SCAN of the keyspace, then a marker).
 */
export async function createRedisStorage(options: RedisStorageOptions = {}): Promise<Storage> {
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  const keys = redisKeys(options.keyPrefix ?? 'cryo');
  const rootNodes = clusterRootNodes(options);
  if (!options.client && !options.url && !rootNodes) throw new ValidationError('needs a url, cluster root nodes or a client', 'url');
  const connection = await connectRedis({
    url: options.url,
    rootNodes,
    client: options.client,
    connectTimeoutMs: commandTimeoutMs,
  });
  const changes = new RedisChangeFeed({
    keys,
    open: () => connection.duplicate(),
    sharded: connection.cluster,
    timeoutMs: commandTimeoutMs,
    probe: () => connection.ping(),
  });
  const parts = {
    connection,
    appends: new AppendBatcher(connection, connection.cluster ? 'SPUBLISH' : 'PUBLISH', { timeoutMs: commandTimeoutMs }),
    changes,
    keys,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    commandTimeoutMs,
    now: options.now ?? (() => new Date()),
  };
  try {
    await registerLegacyPointers(parts);
  } catch (error) {
    await changes.close();
    await connection.close();
    throw toStorageError(error);
  }
  return new RedisStorage(parts);
}
