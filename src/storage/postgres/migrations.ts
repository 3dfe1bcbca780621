import type pg from 'pg';
import { ValidationError } from '../../domain/errors.js';
import { schemaV1 } from './schema-v1.js';
import { schemaV2 } from './schema-v2.js';
import { schemaV3 } from './schema-v3.js';

/** One schema change; applied once, in order, each in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: (quotedSchema: string) => string;
}

/** Every migration, oldest first. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'threads, entries, checkpoints', sql: schemaV1 },
  { version: 2, name: 'api keys', sql: schemaV2 },
  { version: 3, name: 'retention', sql: schemaV3 },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema name (lower-case letters, digits, `_`; ≤ 63 bytes) and returns it quoted. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new ValidationError(`must match ${SCHEMA_NAME} (got ${JSON.stringify(schema)})`, 'schema');
  }
  return `"${schema}"`;
}

/**
 * Brings `schema` up to the newest migration. Holds a session advisory lock (keyed by the schema
 * name) for the whole run, so instances starting at once apply each migration exactly once: the
 * others wait, then find nothing left to do. Each migration and its row in
 * `<schema>.migrations` commit together. Returns the versions this call applied. A database
 * newer than this build (a version it does not know) is left alone. Does NOT bound its own time:
 * the caller's client settings do (statement and lock timeouts). `migrations` is for tests that
 * build an older schema to upgrade.
 */
export async function migrate(client: pg.ClientBase, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const S = quoteSchema(schema);
  const applied: number[] = [];
  await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`cryo-migrations:${schema}`]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${S}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${S}.migrations`);
    const done = new Set(rows.map((r) => r.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql(S));
        await client.query(`INSERT INTO ${S}.migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      applied.push(migration.version);
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`cryo-migrations:${schema}`]).catch(() => {});
  }
  return applied;
}
