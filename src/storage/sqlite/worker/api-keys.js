// @ts-check
/**
 * API keys in the worker (table `api_keys`, hashes only): create, get by id (any namespace),
 * list per namespace, revoke once. Ids are ASCII hex, so SQLite's BINARY collation orders them
 * as JS compares strings.
 */

/** Created on open when missing: stores made before API keys existed gain the table. */
export const API_KEYS_TABLE = `
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  label TEXT,
  scopes TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS api_keys_by_namespace ON api_keys (namespace, id);
`;

const COLUMNS = 'id, namespace, label, scopes, hash, created_at, expires_at, revoked_at';

/** @param {any} row */
function toRecord(row) {
  return {
    id: row.id,
    namespace: row.namespace,
    label: row.label,
    scopes: JSON.parse(row.scopes),
    hash: row.hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** @param {import('better-sqlite3').Database} db */
export function createApiKeys(db) {
  const st = {
    insert: db.prepare(`INSERT OR IGNORE INTO api_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    get: db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`),
    list: db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE namespace = ? AND id > ? ORDER BY id LIMIT ?`),
    revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND namespace = ? AND revoked_at IS NULL'),
  };
  return {
    /** @param {any} r @returns {boolean} false when the id is taken */
    create: (r) => st.insert.run(r.id, r.namespace, r.label, JSON.stringify(r.scopes), r.hash, r.createdAt, r.expiresAt, r.revokedAt).changes === 1,
    /** @param {{ id: string }} a */
    get: (a) => {
      const row = st.get.get(a.id);
      return row ? toRecord(row) : null;
    },
    /** @param {{ namespace: string, first: number, after: string | null }} a */
    list: (a) => {
      const rows = st.list.all(a.namespace, a.after ?? '', a.first + 1);
      return { items: rows.slice(0, a.first).map(toRecord), hasMore: rows.length > a.first };
    },
    /** @param {{ namespace: string, id: string, at: string }} a */
    revoke: (a) => st.revoke.run(a.at, a.id, a.namespace).changes === 1,
  };
}
