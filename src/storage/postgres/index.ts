import pg from 'pg';
import { ValidationError } from '../../domain/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../domain/limits.js';
import { PostgresChangeFeed } from './change-feed.js';
import { clientConfig, createPool, toStorageError, withClient, type ConnectionSettings } from './connection.js';
import { migrate, quoteSchema } from './migrations.js';
import { PostgresStorage } from './storage.js';

export { PostgresChangeFeed } from './change-feed.js';
export { MIGRATIONS, migrate } from './migrations.js';
export type { PostgresStorage } from './storage.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /**
   * `postgres://[user[:password]@]host[:port]/database[?sslmode=…&schema=…]` (`postgresql://`
   * too). `sslmode` (disable, prefer, require, verify-ca, verify-full) chooses TLS as in libpq;
   * a `schema` query parameter is the default for the `schema` option.
   */
  url: string;
  /**
   * The schema holding the adapter's tables (created and migrated at open), so one database can
   * host several deployments. Lower-case letters, digits and `_`. @default "cryo"
   */
  schema?: string;
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /**
   * Bound for every call (pool wait, connect, every statement) and for connecting at open; past
   * it the call fails with StorageUnavailable (a write may or may not have committed: retry with
   * expectedRev and entry ids to make it exactly-once). Also the server-side statement_timeout
   * and lock_timeout of the adapter's sessions. @default 2000
   */
  timeoutMs?: number;
  /** Connections in the pool (plus one for LISTEN). @default 10 */
  poolSize?: number;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
}

/** Splits `?schema=` off a URL: the rest goes to pg unchanged. */
export function splitSchemaParam(url: string): { connectionString: string; schema: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('is not a valid postgres:// URL', 'url');
  }
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { connectionString: url, schema: null };
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/**
 * Opens the Postgres storage (kind "postgres"): shared by any number of processes on one
 * database. Creates and migrates its schema at open (under an advisory lock: instances starting
 * at once are safe). Each append is one transaction (head row locked, revision rules, entries
 * inserted, head bumped, pg_notify); a checkpoint put is one transaction (CAS, pointer check,
 * write, notify). Rejects with StorageUnavailable when the database does not accept a connection
 * within `timeoutMs`. Afterwards, calls fail within `timeoutMs` with StorageUnavailable while the
 * database is unreachable and work again, without a restart, once it is back. Durability is the
 * database's (synchronous_commit): see README.md. Retention: a trim deletes the rows in the
 * transaction that moves firstSeq (checked against checkpoints under the thread's row lock); the
 * space is reused once autovacuum has run, the files do not shrink (README.md, Retention); at
 * most one sweepRetention runs per schema at a time (an advisory lock), the others skip.
 */
export async function createPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  if (!options || typeof options.url !== 'string') throw new ValidationError('needs a postgres:// URL', 'url');
  const split = splitSchemaParam(options.url);
  const schema = options.schema ?? split.schema ?? 'cryo';
  const S = quoteSchema(schema);
  const timeoutMs = options.timeoutMs ?? 2000;
  const settings: ConnectionSettings = {
    connectionString: split.connectionString,
    timeoutMs,
    poolSize: options.poolSize ?? 10,
    applicationName: `cryo:${schema}`,
  };
  await migrateOnce(settings, schema);
  const pool = createPool(settings);
  const changes = new PostgresChangeFeed({
    schema,
    timeoutMs,
    open: () => new pg.Client(clientConfig(settings)),
    probe: () => withClient(pool, timeoutMs, async (client) => void (await client.query('SELECT 1'))),
  });
  return new PostgresStorage(
    { pool, schema, S, limits: { ...DEFAULT_LIMITS, ...options.limits }, timeoutMs, now: options.now ?? (() => new Date()) },
    changes,
  );
}

/**
 * Runs the migrations on a connection of its own. Connecting is bounded by `timeoutMs`; waiting
 * for another instance's migration (the advisory lock) and the DDL get at least 30 s.
 */
async function migrateOnce(settings: ConnectionSettings, schema: string): Promise<void> {
  const slow = Math.max(settings.timeoutMs, 30_000);
  const client = new pg.Client({ ...clientConfig(settings), statement_timeout: slow, lock_timeout: slow });
  client.on('error', () => {});
  try {
    await client.connect();
    await migrate(client, schema);
  } catch (error) {
    throw toStorageError(error);
  } finally {
    await client.end().catch(() => {});
  }
}
