import type { FileStorage, FileStorageOptions } from './file/index.js';
import type { PostgresStorage, PostgresStorageOptions } from './postgres/index.js';
import type { RedisStorageOptions } from './redis/index.js';
import type { SqliteStorage, SqliteStorageOptions } from './sqlite/index.js';
import type { Storage } from './types.js';

/**
 * The built-in adapters' factories for code outside the server (the `cryo/storage` entry), each
 * loaded with a dynamic `import()` when called, so importing `cryo/storage` never loads
 * better-sqlite3, redis or pg. Same options and same guarantees as the adapters' own
 * `create…Storage` (src/storage/<adapter>/index.ts); {@link openStorage} does the same from a URL.
 */

/** Opens the file adapter (one directory, one process: it takes the store lock). */
export async function openFileStorage(options: FileStorageOptions): Promise<FileStorage> {
  const { createFileStorage } = await import('./file/index.js');
  return createFileStorage(options);
}

/** Opens the SQLite adapter (better-sqlite3, one database file). */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<SqliteStorage> {
  const { createSqliteStorage } = await import('./sqlite/index.js');
  return createSqliteStorage(options);
}

/** Opens the Redis adapter (a server or a cluster; several Cryo processes may share it). */
export async function openRedisStorage(options: RedisStorageOptions = {}): Promise<Storage> {
  const { createRedisStorage } = await import('./redis/index.js');
  return createRedisStorage(options);
}

/** Opens the PostgreSQL adapter (several Cryo processes may share it). */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const { createPostgresStorage } = await import('./postgres/index.js');
  return createPostgresStorage(options);
}

export type { FileStorage, FileStorageOptions, PostgresStorage, PostgresStorageOptions, RedisStorageOptions, SqliteStorage, SqliteStorageOptions };
