// @ts-check
/**
 * The worker thread that owns the SQLite database (see ../README.md). Requests arrive as
 * `{ id, op, args }` messages; every reply is `{ id, value }` or `{ id, error }`.
 *
 * Group commit: messages that arrived while the previous round ran (its COMMIT's fsync included)
 * are handled together in the next round. Reads run first, outside any transaction, so they see
 * only committed data; then all writes of the round run in ONE transaction, each inside its own
 * savepoint (a write that fails is rolled back alone and the others go on), and one COMMIT makes
 * them durable together. Replies to writes are sent only after that COMMIT returned.
 *
 * Space: when a round dropped entries (trims, policies, deletes) and the freelist grew past
 * VACUUM_MIN_FREE_PAGES and VACUUM_MIN_FREE_FRACTION of the file, the round runs
 * `PRAGMA incremental_vacuum` in the same transaction before its COMMIT (stores created with
 * auto_vacuum=INCREMENTAL, i.e. from schema 2 on; older files keep their free pages for reuse).
 */
import { createApiKeys } from './api-keys.js';
import { parentPort, workerData } from 'node:worker_threads';
import { createCheckpoints } from './checkpoints.js';
import { createJournal } from './journal.js';
import { createRetention } from './retention.js';
import { entriesLayout, openDatabase, VACUUM_MIN_FREE_FRACTION, VACUUM_MIN_FREE_PAGES } from './schema.js';

/** @typedef {{ id: number, op: string, args: any }} Request */

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { path } = /** @type {{ path: string }} */ (workerData);

/**
 * @param {unknown} error
 * @returns {{ type: string, code?: string, message: string, location?: string }}
 */
function describe(error) {
  const e = /** @type {{ code?: string, message?: string, location?: string }} */ (error);
  return { type: 'sqlite', code: e?.code ?? 'UNKNOWN', message: e?.message ?? String(error), location: e?.location };
}

/** @returns {import('better-sqlite3').Database | null} */
function open() {
  try {
    return openDatabase(path);
  } catch (error) {
    port.postMessage({ id: 0, error: describe(error) });
    port.close(); // nothing else keeps this thread alive: it ends
    return null;
  }
}

const opened = open();
if (opened) serve(opened);

/** @param {import('better-sqlite3').Database} db */
function serve(db) {
  // Transaction control, compiled once (exec would parse the SQL on every call).
  const tx = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    savepoint: db.prepare('SAVEPOINT one'),
    rollbackTo: db.prepare('ROLLBACK TO one'),
    release: db.prepare('RELEASE one'),
    commit: db.prepare('COMMIT'),
  };
  const retention = createRetention(db);
  const journal = createJournal(db, retention);
  const pageCount = db.prepare('PRAGMA page_count').pluck();
  const freelistCount = db.prepare('PRAGMA freelist_count').pluck();
  const incremental = db.pragma('auto_vacuum', { simple: true }) === 2;
  const checkpoints = createCheckpoints(db, journal);
  const apiKeys = createApiKeys(db);
  const stats = { commits: 0, writes: 0, rounds: 0, vacuums: 0, vacuumedPages: 0, incrementalVacuum: incremental, entriesLayout: entriesLayout(db) };
  /** A failed COMMIT leaves the outcome on disk unknown: refuse writes until the store is reopened. */
  let fenced = /** @type {string | null} */ (null);

  /** @type {Record<string, (args: any) => unknown>} */
  const writes = {
    append: (a) => journal.append(a),
    deleteThread: (a) => journal.deleteThread(a),
    trimThread: (a) => journal.trim(a),
    setRetention: (a) => journal.setRetention(a),
    applyPolicy: (a) => journal.applyPolicy(a),
    putCheckpoint: (a) => checkpoints.put(a),
    deleteCheckpoint: (a) => checkpoints.delete(a),
    createApiKey: (a) => apiKeys.create(a),
    revokeApiKey: (a) => apiKeys.revoke(a),
  };

  /** @type {Record<string, (args: any) => unknown>} */
  const reads = {
    getThread: (a) => journal.getThread(a),
    readEntries: (a) => journal.readEntries(a),
    readTail: (a) => journal.readTail(a),
    listThreads: (a) => journal.listThreads(a),
    threadsWithPolicy: (a) => retention.threadsWithPolicy(a),
    getCheckpoint: (a) => checkpoints.get(a),
    listCheckpoints: (a) => checkpoints.list(a),
    getApiKey: (a) => apiKeys.get(a),
    listApiKeys: (a) => apiKeys.list(a),
    ping: () => db.prepare('SELECT 1').get() && null,
    space: () => ({ pageSize: db.pragma('page_size', { simple: true }), pages: pageCount.get(), freePages: freelistCount.get() }),
    namespaces: () => db.prepare('SELECT namespace FROM threads UNION SELECT namespace FROM checkpoints').pluck().all(),
    stats: () => ({ ...stats }),
  };

  /** @type {Request[]} */
  let queue = [];
  let scheduled = false;
  let closing = false;

  port.on('message', (/** @type {Request} */ message) => {
    queue.push(message);
    if (!scheduled) {
      scheduled = true;
      setImmediate(round);
    }
  });

  function round() {
    scheduled = false;
    const batch = queue;
    queue = [];
    stats.rounds++;
    /** @type {Request[]} */
    const pending = [];
    for (const request of batch) {
      if (request.op === 'close') closing = true;
      else if (request.op in writes) pending.push(request);
      else if (closing) port.postMessage({ id: request.id, error: { type: 'closed', message: 'closed' } });
      else port.postMessage(runRead(request));
    }
    if (pending.length > 0) commitRound(pending);
    if (closing) {
      db.close();
      port.postMessage({ id: -1, value: 'closed' });
      port.close();
    }
  }

  /** @param {Request} request */
  function runRead(request) {
    try {
      const op = /** @type {(args: any) => unknown} */ (reads[request.op]);
      return { id: request.id, value: op(request.args) };
    } catch (error) {
      return { id: request.id, error: describe(error) };
    }
  }

  /** @param {Request[]} pending */
  function commitRound(pending) {
    if (fenced !== null) {
      for (const r of pending) port.postMessage({ id: r.id, error: { type: 'fenced', message: fenced } });
      return;
    }
    /** @type {{ id: number, value?: unknown, error?: unknown }[]} */
    const replies = [];
    let freed = false;
    try {
      tx.begin.run();
    } catch (error) {
      for (const r of pending) port.postMessage({ id: r.id, error: describe(error) });
      return;
    }
    for (const request of pending) {
      tx.savepoint.run();
      try {
        const op = /** @type {(args: any) => unknown} */ (writes[request.op]);
        const value = op(request.args);
        if (value && typeof value === 'object' && 'error' in value) tx.rollbackTo.run();
        else if (freesPages(request.op, value)) freed = true;
        tx.release.run();
        replies.push({ id: request.id, value });
      } catch (error) {
        try {
          tx.rollbackTo.run();
          tx.release.run();
        } catch {
          // The transaction itself is gone (SQLite rolled it back): COMMIT below fails and says so.
        }
        replies.push({ id: request.id, error: describe(error) });
      }
    }
    if (freed && incremental) vacuum();
    try {
      tx.commit.run();
      stats.commits++;
      stats.writes += pending.length;
    } catch (error) {
      if (db.inTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // nothing more to undo
        }
      }
      fenced = `a commit failed (${describe(error).message}); nothing of that round was acknowledged; reopen the storage`;
      for (const r of pending) port.postMessage({ id: r.id, error: describe(error) });
      return;
    }
    for (const reply of replies) port.postMessage(reply);
  }

  /**
   * Returns free pages to the file system (inside the round's transaction, in a savepoint: if it
   * fails it is undone alone and the round commits without it). Its cost is at most two page
   * writes per page freed: it moves in-use pages from the end of the file into free slots.
   */
  function vacuum() {
    const free = /** @type {number} */ (freelistCount.get());
    if (free < VACUUM_MIN_FREE_PAGES || free < /** @type {number} */ (pageCount.get()) * VACUUM_MIN_FREE_FRACTION) return;
    tx.savepoint.run();
    try {
      db.exec(`PRAGMA incremental_vacuum(${free})`);
      tx.release.run();
      stats.vacuums++;
      stats.vacuumedPages += free - /** @type {number} */ (freelistCount.get());
    } catch {
      try {
        tx.rollbackTo.run();
        tx.release.run();
      } catch {
        // The transaction itself is gone: COMMIT fails and says so.
      }
    }
  }

  port.postMessage({ id: 0, value: 'ready' });
}

/**
 * True when a write that succeeded may have freed pages: it dropped entries or deleted a thread.
 * @param {string} op
 * @param {unknown} value
 */
function freesPages(op, value) {
  if (op === 'deleteThread') return value === true;
  const dropped = /** @type {{ dropped?: number } | null} */ (value)?.dropped;
  return typeof dropped === 'number' && dropped > 0;
}
