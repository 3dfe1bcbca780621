// @ts-check
/**
 * Opening the database in the worker: pragmas, the process lock, the schema and its version.
 * Plain JavaScript so the worker starts without a TypeScript loader (see ../README.md).
 */
import { API_KEYS_TABLE } from './api-keys.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The compiled addon, loaded by path: better-sqlite3's default lookup (the `bindings` package)
 * searches several directories and costs noticeable start-up time. Null: use the default lookup.
 */
const NATIVE_BINDING = (() => {
  const path = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node');
  return existsSync(path) ? path : null;
})();

/** `PRAGMA application_id` of a Cryo database: "Cryo" in ASCII. */
export const APPLICATION_ID = 0x4372796f;
/** `PRAGMA user_version`: the schema version this code reads and writes. */
export const SCHEMA_VERSION = 1;

// Strings that are ordered (thread ids, agent types and ids) are stored as UTF-16BE blobs: their
// byte order is the UTF-16 code unit order the contract lists them in. Times are epoch ms.
// Threads are keyed by (namespace, id) with no rowid (a listing page is one range scan); `tid`,
// from the `tid` counter, is the short key their entries are stored under (never reused).
const SCHEMA = `
CREATE TABLE threads (
  namespace TEXT NOT NULL,
  id BLOB NOT NULL,
  tid INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  life TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('tid', 0);
CREATE TABLE entries (
  tid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  refs TEXT NOT NULL,
  crc INTEGER NOT NULL,
  PRIMARY KEY (tid, seq)
) WITHOUT ROWID;
CREATE TABLE checkpoints (
  namespace TEXT NOT NULL,
  agent_type BLOB NOT NULL,
  agent_id BLOB NOT NULL,
  rev INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  thread_id TEXT,
  thread_rev INTEGER,
  thread_life TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  crc INTEGER NOT NULL,
  PRIMARY KEY (namespace, agent_type, agent_id)
) WITHOUT ROWID;
`;

/**
 * Opens (creating when missing) the database at `path` for this process alone: EXCLUSIVE locking
 * mode, then a write transaction that takes SQLite's exclusive file lock and keeps it until the
 * connection closes. The kernel releases that lock when the process dies, so a dead holder never
 * blocks an open. WAL journal, synchronous=FULL. Throws the SqliteError as is (the caller maps it).
 * @param {string} path
 * @returns {import('better-sqlite3').Database}
 */
export function openDatabase(path) {
  const db = new Database(path, { timeout: 0, ...(NATIVE_BINDING ? { nativeBinding: NATIVE_BINDING } : {}) });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = OFF');
    // Write transaction: takes and (in EXCLUSIVE mode) keeps the lock, creates the schema once.
    db.exec('BEGIN IMMEDIATE');
    try {
      checkOrCreateSchema(db, path);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {string} path
 */
function checkOrCreateSchema(db, path) {
  const applicationId = db.pragma('application_id', { simple: true });
  const version = db.pragma('user_version', { simple: true });
  const tables = /** @type {number} */ (db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get());
  if (applicationId === 0 && version === 0 && tables === 0) {
    db.exec(SCHEMA);
    db.exec(API_KEYS_TABLE);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return;
  }
  if (applicationId !== APPLICATION_ID) {
    throw Object.assign(new Error(`${path} is an SQLite database but not a Cryo store (application_id ${applicationId}): use a new file`), {
      code: 'CRYO_NOT_A_STORE',
    });
  }
  if (version !== SCHEMA_VERSION) {
    throw Object.assign(new Error(`${path} has Cryo schema version ${version}; this version reads ${SCHEMA_VERSION}`), {
      code: 'CRYO_NOT_A_STORE',
    });
  }
  db.exec(API_KEYS_TABLE);
}
