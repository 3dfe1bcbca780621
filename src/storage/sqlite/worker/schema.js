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
/**
 * `PRAGMA user_version`: the schema version this code reads and writes. 2 added retention
 * (threads.first_seq, max_entries, max_age_seconds; the pointer index on checkpoints): a
 * version-1 store is migrated at open (see {@link MIGRATE_1_TO_2}).
 */
export const SCHEMA_VERSION = 2;

/**
 * Free pages that trigger an incremental vacuum after a write round that dropped entries: at
 * least this many, and at least {@link VACUUM_MIN_FREE_FRACTION} of the file. Below that, freed
 * pages wait on SQLite's freelist and later writes reuse them (see ../README.md, "Space").
 */
export const VACUUM_MIN_FREE_PAGES = 256;
/** See {@link VACUUM_MIN_FREE_PAGES}. */
export const VACUUM_MIN_FREE_FRACTION = 1 / 8;
/** Largest WAL file kept between checkpoints (bytes): a big trim's WAL is cut back to this. */
const WAL_SIZE_LIMIT = 16 * 2 ** 20;

/**
 * Retention's indexes (schema 2). `checkpoint_pointers` is the reverse index thread →
 * checkpoints: the lowest pointer into one life of a thread is its first row (one seek). Only
 * checkpoints with a pointer are in it. `threads_with_policy`: the threads a sweep visits.
 */
const RETENTION_INDEXES = `
CREATE INDEX checkpoint_pointers ON checkpoints (namespace, thread_id, thread_life, thread_rev, agent_type, agent_id)
  WHERE thread_id IS NOT NULL;
CREATE INDEX threads_with_policy ON threads (namespace, id)
  WHERE max_entries IS NOT NULL OR max_age_seconds IS NOT NULL;
`;

/**
 * The entries of new stores: a rowid table (rows in append order) with the unique index
 * `entries_by_seq` (tid, seq) that every read, trim and delete goes through. A table row keeps up
 * to 4,061 bytes in its 4 KiB page (larger ones spill into overflow pages filled in full); a page
 * holds whole rows only, so rows of ~2–4 KB take up to ~2× their size, 1 KB rows ~1.4× (measured
 * in ../README.md, "Space"). Stores created before kept `entries` as a WITHOUT ROWID
 * table keyed (tid, seq), which keeps only up to 1,004 bytes of a row in its page and spills the
 * rest into an overflow page of its own (~4.5 KB of file per 1 KB entry). Both layouts have the
 * same columns and every statement reads them the same way (see {@link entriesLayout}); an
 * existing store keeps its layout (see ../README.md, "Entries layout").
 */
const ENTRIES_TABLE = `
CREATE TABLE entries (
  tid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  refs TEXT NOT NULL,
  crc INTEGER NOT NULL
);
CREATE UNIQUE INDEX entries_by_seq ON entries (tid, seq);`;

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
  first_seq INTEGER NOT NULL DEFAULT 0,
  max_entries INTEGER,
  max_age_seconds INTEGER,
  PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('tid', 0);
${ENTRIES_TABLE}
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
${RETENTION_INDEXES}`;

/**
 * Schema 1 → 2, inside the open's write transaction. ADD COLUMN with a constant default rewrites
 * no row (SQLite reads the default for rows stored before), so it costs the same whatever the
 * size; the pointer index reads the checkpoints once. Old threads get firstSeq 0 and no policy.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE threads ADD COLUMN first_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN max_entries INTEGER;
ALTER TABLE threads ADD COLUMN max_age_seconds INTEGER;
${RETENTION_INDEXES}`;

/**
 * The layout of this store's `entries` table: 'rowid' (created by this code) or 'without-rowid'
 * (stores created before it, also schema-1 stores migrated at open). See {@link ENTRIES_TABLE}.
 * @param {import('better-sqlite3').Database} db
 * @returns {'rowid' | 'without-rowid'}
 */
export function entriesLayout(db) {
  const rows = /** @type {{ name: string, wr: number }[]} */ (db.prepare('PRAGMA table_list').all());
  return rows.some((r) => r.name === 'entries' && r.wr === 1) ? 'without-rowid' : 'rowid';
}

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
    // Only takes effect on a new (empty) file, before its first table: then freed pages can be
    // returned to the file system (incremental_vacuum after big trims). A no-op on existing files.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
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
  if (version === 1) {
    db.exec(MIGRATE_1_TO_2);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } else if (version !== SCHEMA_VERSION) {
    throw Object.assign(new Error(`${path} has Cryo schema version ${version}; this version reads ${SCHEMA_VERSION}`), {
      code: 'CRYO_NOT_A_STORE',
    });
  }
  db.exec(API_KEYS_TABLE);
}
