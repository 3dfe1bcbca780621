import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database a test created (and drops) on the machine's PostgreSQL or on DATABASE_URL's server. */
export interface TestDatabase {
  /** `postgres://…/cryo_test_<random>` */
  readonly url: string;
  readonly name: string;
  /** Terminates every other connection to this database (never to any other database). */
  terminateConnections(): Promise<number>;
  /** Drops the database (terminating its connections first). Idempotent. */
  drop(): Promise<void>;
}

/** The server tests use: DATABASE_URL, else the local cluster as user postgres. */
export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates `cryo_test_<random>` on `server` (default {@link serverUrl}). Only that database is
 * ever touched: its connections terminated, it dropped.
 */
export async function createTestDatabase(server: string = serverUrl()): Promise<TestDatabase> {
  const name = `cryo_test_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    url: withDatabase(server, name),
    name,
    terminateConnections: () =>
      admin(server, async (c) => {
        const { rowCount } = await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        return rowCount ?? 0;
      }),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
