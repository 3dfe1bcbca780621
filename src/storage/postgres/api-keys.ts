import type pg from 'pg';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { ValidationError } from '../../domain/errors.js';
import type { Page } from '../types.js';
import { apiKeyChannel, iso } from './codec.js';
import type { PostgresParts } from './storage.js';

/**
 * API keys on Postgres (table `api_keys`, migration 2), shared by every instance on the database.
 * A revocation is one statement that sets `revoked_at` only when still null and notifies in the
 * same transaction (delivered on commit), carrying only the key id. Ids are ASCII (hex), so the
 * "C" collation orders them as JS compares strings.
 */

const COLUMNS = 'id, namespace, label, scopes, hash, created_at, expires_at, revoked_at';

function decode(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(row.id),
    namespace: String(row.namespace),
    label: row.label == null ? null : String(row.label),
    scopes: (row.scopes as string[]).slice(),
    hash: String(row.hash),
    createdAt: iso(row.created_at),
    expiresAt: row.expires_at == null ? null : iso(row.expires_at),
    revokedAt: row.revoked_at == null ? null : iso(row.revoked_at),
  };
}

export async function createApiKey(parts: PostgresParts, client: pg.ClientBase, r: ApiKeyRecord): Promise<void> {
  const { rowCount } = await client.query(
    `INSERT INTO ${parts.S}.api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
    [r.id, r.namespace, r.label, r.scopes, r.hash, r.createdAt, r.expiresAt, r.revokedAt],
  );
  if (rowCount !== 1) throw new ValidationError('an API key with this id exists', 'id');
}

export async function getApiKey(parts: PostgresParts, client: pg.ClientBase, id: string): Promise<ApiKeyRecord | null> {
  const { rows } = await client.query({
    name: `${parts.schema}.get-api-key`,
    text: `SELECT ${COLUMNS} FROM ${parts.S}.api_keys WHERE id = $1`,
    values: [id],
  });
  return rows.length ? decode(rows[0]) : null;
}

export async function listApiKeys(
  parts: PostgresParts,
  client: pg.ClientBase,
  key: { namespace: string; first: number; after: string | null },
): Promise<Page<ApiKeyRecord>> {
  const { rows } = await client.query(
    `SELECT ${COLUMNS} FROM ${parts.S}.api_keys WHERE namespace = $1 AND ($2::text IS NULL OR id > $2 COLLATE "C") ORDER BY id COLLATE "C" LIMIT $3`,
    [key.namespace, key.after, key.first + 1],
  );
  return { items: rows.slice(0, key.first).map(decode), hasMore: rows.length > key.first };
}

export async function revokeApiKey(parts: PostgresParts, client: pg.ClientBase, key: { namespace: string; id: string }, at: Date): Promise<boolean> {
  const { rows } = await client.query(
    `WITH revoked AS (
       UPDATE ${parts.S}.api_keys SET revoked_at = $3 WHERE id = $1 AND namespace = $2 AND revoked_at IS NULL RETURNING id
     )
     SELECT id, pg_notify($4, json_build_object('type', 'api-key-revoked', 'keyId', id)::text) FROM revoked`,
    [key.id, key.namespace, at.toISOString(), apiKeyChannel(parts.schema)],
  );
  return rows.length === 1;
}
