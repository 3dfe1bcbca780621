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
 */
import { createApiKeys } from './api-keys.js';
import { parentPort, workerData } from 'node:worker_threads';
import { createCheckpoints } from './checkpoints.js';
import { createJournal } from './journal.js';
import { openDatabase } from './schema.js';

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
  const journal = createJournal(db);
  const checkpoints = createCheckpoints(db, journal);
  const apiKeys = createApiKeys(db);
  const stats = { commits: 0, writes: 0, rounds: 0 };
  /** A failed COMMIT leaves the outcome on disk unknown: refuse writes until the store is reopened. */
  let fenced = /** @type {string | null} */ (null);

  /** @type {Record<string, (args: any) => unknown>} */
  const writes = {
    append: (a) => journal.append(a),
    deleteThread: (a) => journal.deleteThread(a),
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
    getCheckpoint: (a) => checkpoints.get(a),
    listCheckpoints: (a) => checkpoints.list(a),
    getApiKey: (a) => apiKeys.get(a),
    listApiKeys: (a) => apiKeys.list(a),
    ping: () => db.prepare('SELECT 1').get() && null,
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

  port.postMessage({ id: 0, value: 'ready' });
}
