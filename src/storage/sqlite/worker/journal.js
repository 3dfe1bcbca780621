// @ts-check
/**
 * Thread journals in the worker: appends (with the expected-revision and retry rules), range and
 * tail reads, deletes and listings. Each function runs inside the caller's transaction or read.
 */
import { randomUUID } from 'node:crypto';
import { ChecksumMismatch, entryCrc, fromOrderedKey, orderedKey } from './keys.js';

/**
 * @typedef {{ tid: number, rev: number, life: string, metadata: string, created_at: number, updated_at: number }} HeadRow
 * @typedef {{ id: string, rev: number, life: string, metadata: string, createdAt: number, updatedAt: number }} HeadOut
 * @typedef {{ seq: number, id: string, at: number, kind: string, payload: string, refs: string }} EntryOut
 * @typedef {{ id: string, at: number, kind: string, payload: string, refs: string }} EntryIn
 * @typedef {{ namespace: string, threadId: string, entries: EntryIn[], idsFromCaller: boolean,
 *   expectedRev: number | null, metadata: string, now: number }} AppendIn
 */

/** @param {import('better-sqlite3').Database} db */
export function createJournal(db) {
  const st = {
    head: db.prepare('SELECT tid, rev, life, metadata, created_at, updated_at FROM threads WHERE namespace = ? AND id = ?'),
    nextTid: db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'tid' RETURNING value").pluck(),
    createThread: db.prepare(
      'INSERT INTO threads (namespace, id, tid, rev, life, metadata, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?)',
    ),
    setRev: db.prepare('UPDATE threads SET rev = ?, updated_at = ? WHERE namespace = ? AND id = ?'),
    insertEntry: db.prepare('INSERT INTO entries (tid, seq, id, at, kind, payload, refs, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    range: db.prepare('SELECT seq, id, at, kind, payload, refs, crc FROM entries WHERE tid = ? AND seq >= ? ORDER BY seq LIMIT ?'),
    deleteEntries: db.prepare('DELETE FROM entries WHERE tid = ?'),
    deleteThread: db.prepare('DELETE FROM threads WHERE namespace = ? AND id = ?'),
    list: db.prepare(
      'SELECT id, rev, life, metadata, created_at, updated_at FROM threads WHERE namespace = ? AND id > ? ORDER BY id LIMIT ?',
    ),
  };

  /**
   * @param {string} namespace
   * @param {string} threadId
   * @returns {HeadRow | undefined}
   */
  const headRow = (namespace, threadId) => /** @type {HeadRow | undefined} */ (st.head.get(namespace, orderedKey(threadId)));

  /**
   * @param {string} threadId
   * @param {HeadRow} row
   * @returns {HeadOut}
   */
  const headOut = (threadId, row) => ({
    id: threadId,
    rev: row.rev,
    life: row.life,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  /**
   * Entries of one thread from `fromSeq`, checksums checked.
   * @param {string} namespace
   * @param {string} threadId
   * @param {number} tid
   * @param {number} fromSeq
   * @param {number} limit
   * @returns {EntryOut[]}
   */
  function readRange(namespace, threadId, tid, fromSeq, limit) {
    const rows = /** @type {(EntryOut & { crc: number })[]} */ (st.range.all(tid, fromSeq, limit));
    return rows.map((row) => {
      if (entryCrc(row.seq, row.id, row.at, row.kind, row.payload, row.refs) !== row.crc) {
        throw new ChecksumMismatch(`entry seq ${row.seq} of thread ${JSON.stringify(threadId)} in namespace ${JSON.stringify(namespace)}`);
      }
      return { seq: row.seq, id: row.id, at: row.at, kind: row.kind, payload: row.payload, refs: row.refs };
    });
  }

  return {
    /**
     * Appends all entries or none. Mirrors checkExpectedRev / isReplayOf of src/domain/append.ts
     * (kept in step with it by the conformance suite), evaluated inside the write transaction.
     * @param {AppendIn} a
     */
    append(a) {
      let row = headRow(a.namespace, a.threadId);
      const currentRev = row?.rev ?? 0;
      if (a.expectedRev !== null && a.expectedRev !== currentRev) {
        if (row && a.idsFromCaller && a.expectedRev + a.entries.length <= currentRev) {
          const stored = readRange(a.namespace, a.threadId, row.tid, a.expectedRev, a.entries.length);
          if (stored.length === a.entries.length && a.entries.every((entry, i) => entry.id === stored[i]?.id)) {
            return { replayed: true, head: headOut(a.threadId, row), stored };
          }
        }
        return { error: { type: 'RevisionConflict', expectedRev: a.expectedRev, actualRev: currentRev } };
      }
      const key = orderedKey(a.threadId);
      if (!row) {
        const life = randomUUID();
        const tid = /** @type {number} */ (st.nextTid.get());
        st.createThread.run(a.namespace, key, tid, life, a.metadata, a.now, a.now);
        row = { tid, rev: 0, life, metadata: a.metadata, created_at: a.now, updated_at: a.now };
      }
      const tid = row.tid;
      a.entries.forEach((e, i) => {
        const seq = currentRev + i;
        st.insertEntry.run(tid, seq, e.id, e.at, e.kind, e.payload, e.refs, entryCrc(seq, e.id, e.at, e.kind, e.payload, e.refs));
      });
      const rev = currentRev + a.entries.length;
      st.setRev.run(rev, a.now, a.namespace, key);
      return { replayed: false, head: headOut(a.threadId, { ...row, rev, updated_at: a.now }), firstSeq: currentRev };
    },

    /** @param {{ namespace: string, threadId: string }} a */
    getThread(a) {
      const row = headRow(a.namespace, a.threadId);
      return row ? headOut(a.threadId, row) : null;
    },

    /** @param {{ namespace: string, threadId: string, fromSeq: number, limit: number }} a */
    readEntries(a) {
      const row = headRow(a.namespace, a.threadId);
      return row ? readRange(a.namespace, a.threadId, row.tid, a.fromSeq, a.limit) : [];
    },

    /** @param {{ namespace: string, threadId: string, limit: number }} a */
    readTail(a) {
      const row = headRow(a.namespace, a.threadId);
      if (!row) return { thread: null, entries: [] };
      const from = Math.max(0, row.rev - a.limit);
      return { thread: headOut(a.threadId, row), entries: readRange(a.namespace, a.threadId, row.tid, from, row.rev - from) };
    },

    /** @param {{ namespace: string, threadId: string }} a */
    deleteThread(a) {
      const row = headRow(a.namespace, a.threadId);
      if (!row) return false;
      st.deleteEntries.run(row.tid);
      st.deleteThread.run(a.namespace, orderedKey(a.threadId));
      return true;
    },

    /** @param {{ namespace: string, first: number, after: string | null }} a */
    listThreads(a) {
      const after = a.after === null ? Buffer.alloc(0) : orderedKey(a.after);
      const rows = /** @type {(HeadRow & { id: Uint8Array })[]} */ (st.list.all(a.namespace, after, a.first + 1));
      const items = rows.slice(0, a.first).map((r) => headOut(fromOrderedKey(r.id), r));
      return { items, hasMore: rows.length > a.first };
    },

    /**
     * The head of a thread, for checkpoint pointers.
     * @param {string} namespace
     * @param {string} threadId
     */
    head: headRow,
  };
}
