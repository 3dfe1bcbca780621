import type { Limits } from '../../domain/limits.js';
import type { AppendBatcher } from './append-batcher.js';
import type { RedisChangeFeed } from './change-feed.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { PublishCommand } from './scripts/lua-script.js';

/** What the Redis adapter's operations (threads.ts, checkpoints.ts) run on; built by createRedisStorage. */
export interface RedisStorageParts {
  connection: RedisConnection;
  /** Group commit of appends (one script run for the appends queued meanwhile). */
  appends: AppendBatcher;
  changes: RedisChangeFeed;
  keys: RedisKeys;
  limits: Limits;
  commandTimeoutMs: number;
  now: () => Date;
}

/** PUBLISH (standalone) or SPUBLISH (cluster: the channel shares the script's slot). */
export function publishCommand(parts: RedisStorageParts): PublishCommand {
  return parts.connection.cluster ? 'SPUBLISH' : 'PUBLISH';
}

/** The start of a change message as JSON, open for its `rev` (the scripts append the rev and `}`). */
export function messagePrefix(event: Record<string, string>): string {
  return `${JSON.stringify(event).slice(0, -1)},"rev":`;
}
