// @ts-check
/**
 * Thread journals in the worker: appends (with the expected-revision and retry rules, and
 * maxEntries), range and tail reads (from firstSeq), deletes, listings, trims and policies (the
 * rules themselves are in retention.js). Each function runs inside the caller's transaction or read.
 */
import { randomUUID } from 'node:crypto';
import { ChecksumMismatch, entryCrc, fromOrderedKey, orderedKey } from './keys.js';
import { PURGE_BATCH } from './retention.js';

const HEAD_COLUMNS = 'tid, rev, life, metadata, created_at, updated_at, first_seq, max_entries, max_age_seconds';

/**
 * @typedef {{ tid: number, rev: number, life: string, metadata: string, created_at: number, updated_at: number,
 *   first_seq: number, max_entries: number | null, max_age_seconds: number | null }} HeadRow
 * @typedef {{ maxEntries: number | null, maxAgeSeconds: number | null }} Policy
 * @typedef {import('./retention.js').PointerHolder} PointerHolder
 * @typedef {{ id: string, rev: number, firstSeq: number, retention: Policy | null, life: string, metadata: string,
 *   createdAt: number, updatedAt: number }} HeadOut
 * @typedef {{ seq: number, id: string, at: number, kind: string, payload: string, refs: string }} EntryOut
 * @typedef {{ id: string, at: number, kind: string, payload: string, refs: string }} EntryIn
 * @typedef {{ namespace: string, threadId: string, entries: EntryIn[], idsFromCaller: boolean,
 *   expectedRev: number | null, metadata: string, retention: Policy | null, startSeq: number, now: number }} AppendIn
 */

/**
 * @param {import('better-sqlite3').Database} db
 * @param {ReturnType<typeof import('./retention.js').createRetention>} retention
 */
export function createJournal(db, retention) {
  const st = {
    head: db.prepare(`SELECT ${HEAD_COLUMNS} FROM threads WHERE namespace = ? AND id = ?`),
    nextTid: db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'tid' RETURNING value").pluck(),
    createThread: db.prepare(
      'INSERT INTO threads (namespace, id, tid, rev, first_seq, life, metadata, created_at, updated_at, max_entries, max_age_seconds) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    setRev: db.prepare('UPDATE threads SET rev = ?, first_seq = ?, updated_at = ? WHERE namespace = ? AND id = ?'),
    setFirstSeq: db.prepare('UPDATE threads SET first_seq = ?, updated_at = ? WHERE namespace = ? AND id = ?'),
    setPolicy: db.prepare('UPDATE threads SET max_entries = ?, max_age_seconds = ?, updated_at = ? WHERE namespace = ? AND id = ?'),
    insertEntry: db.prepare('INSERT INTO entries (tid, seq, id, at, kind, payload, refs, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    range: db.prepare('SELECT seq, id, at, kind, payload, refs, crc FROM entries WHERE tid = ? AND seq >= ? ORDER BY seq LIMIT ?'),
    deleteEntries: db.prepare('DELETE FROM entries WHERE tid = ?'),
    deleteThread: db.prepare('DELETE FROM threads WHERE namespace = ? AND id = ?'),
    list: db.prepare(`SELECT id, ${HEAD_COLUMNS} FROM threads WHERE namespace = ? AND id > ? ORDER BY id LIMIT ?`),
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
    firstSeq: row.first_seq,
    retention: row.max_entries === null && row.max_age_seconds === null ? null : { maxEntries: row.max_entries, maxAgeSeconds: row.max_age_seconds },
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

  /**
   * Trims the thread to `beforeSeq` (> its firstSeq): deletes the rows below, sets firstSeq.
   * Returns how many entries went (from firstSeq: rows below it were trimmed before).
   * @param {string} namespace
   * @param {string} threadId
   * @param {HeadRow} row
   * @param {number} beforeSeq
   * @param {number} now
   */
  function dropBefore(namespace, threadId, row, beforeSeq, now) {
    retention.dropBelow(row.tid, beforeSeq);
    st.setFirstSeq.run(beforeSeq, now, namespace, orderedKey(threadId));
    const dropped = beforeSeq - row.first_seq;
    row.first_seq = beforeSeq;
    row.updated_at = now;
    return dropped;
  }

  /**
   * Applies the thread's policy at `now`; returns the head and what it dropped.
   * @param {string} namespace
   * @param {string} threadId
   * @param {HeadRow} row
   * @param {number} now
   */
  function applyPolicy(namespace, threadId, row, now) {
    const target = retention.policyTarget(namespace, threadId, row, now);
    const dropped = target === null ? 0 : dropBefore(namespace, threadId, row, target, now);
    return { head: headOut(threadId, row), dropped };
  }

  return {
    /**
     * Appends all entries or none. Mirrors checkExpectedRev / isReplayOf of src/domain/append.ts
     * (kept in step with it by the conformance suite), evaluated inside the write transaction; a
     * retry whose entries were trimmed is a conflict. A thread it creates starts at `startSeq`
     * with the call's policy. Then applies maxEntries, in the same transaction: firstSeq moves past
     * the entries it pushes out, which are deleted in batches (retention.js, PURGE_BATCH).
     * @param {AppendIn} a
     */
    append(a) {
      let row = headRow(a.namespace, a.threadId);
      const currentRev = row?.rev ?? a.startSeq;
      if (a.expectedRev !== null && a.expectedRev !== currentRev) {
        if (row && a.idsFromCaller && a.expectedRev >= row.first_seq && a.expectedRev + a.entries.length <= currentRev) {
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
        const maxEntries = a.retention?.maxEntries ?? null;
        const maxAge = a.retention?.maxAgeSeconds ?? null;
        st.createThread.run(a.namespace, key, tid, a.startSeq, a.startSeq, life, a.metadata, a.now, a.now, maxEntries, maxAge);
        row = { tid, rev: a.startSeq, first_seq: a.startSeq, life, metadata: a.metadata, created_at: a.now, updated_at: a.now,
          max_entries: maxEntries, max_age_seconds: maxAge };
      }
      const tid = row.tid;
      a.entries.forEach((e, i) => {
        const seq = currentRev + i;
        st.insertEntry.run(tid, seq, e.id, e.at, e.kind, e.payload, e.refs, entryCrc(seq, e.id, e.at, e.kind, e.payload, e.refs));
      });
      row.rev = currentRev + a.entries.length;
      row.updated_at = a.now;
      const target = retention.maxEntriesTarget(a.namespace, a.threadId, row);
      if (target !== null) {
        if (Math.floor(target / PURGE_BATCH) > Math.floor(row.first_seq / PURGE_BATCH)) retention.dropBelow(tid, target);
        row.first_seq = target;
      }
      st.setRev.run(row.rev, row.first_seq, a.now, a.namespace, key);
      return { replayed: false, head: headOut(a.threadId, row), firstSeq: currentRev };
    },

    /** @param {{ namespace: string, threadId: string }} a */
    getThread(a) {
      const row = headRow(a.namespace, a.threadId);
      return row ? headOut(a.threadId, row) : null;
    },

    /** Reads below firstSeq start at firstSeq. @param {{ namespace: string, threadId: string, fromSeq: number, limit: number }} a */
    readEntries(a) {
      const row = headRow(a.namespace, a.threadId);
      return row ? readRange(a.namespace, a.threadId, row.tid, Math.max(a.fromSeq, row.first_seq), a.limit) : [];
    },

    /** @param {{ namespace: string, threadId: string, limit: number }} a */
    readTail(a) {
      const row = headRow(a.namespace, a.threadId);
      if (!row) return { thread: null, entries: [] };
      const from = Math.max(row.first_seq, row.rev - a.limit);
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
     * Mirrors checkTrim of src/domain/retention.ts, in its order. A refusal returns the facts it
     * was decided on (`{ error: { type: 'TrimRefused', head, lowest } }`): the main thread runs
     * checkTrim on them to throw the domain's typed error.
     * @param {{ namespace: string, threadId: string, beforeSeq: number, expectedRev: number | null, now: number }} a
     */
    trim(a) {
      const row = headRow(a.namespace, a.threadId);
      const refused = (/** @type {PointerHolder | null} */ lowest) => ({
        error: { type: 'TrimRefused', head: row ? { rev: row.rev, firstSeq: row.first_seq } : null, lowest },
      });
      if (!row || (a.expectedRev !== null && a.expectedRev !== row.rev) || a.beforeSeq > row.rev) return refused(null);
      if (a.beforeSeq <= row.first_seq) return { head: headOut(a.threadId, row), dropped: 0 };
      const lowest = retention.lowestPointer(a.namespace, a.threadId, row.life);
      if (lowest && a.beforeSeq > lowest.rev) return refused(lowest);
      const dropped = dropBefore(a.namespace, a.threadId, row, a.beforeSeq, a.now);
      return { head: headOut(a.threadId, row), dropped };
    },

    /**
     * Sets (null: clears) the policy and applies it at `now`. A missing thread returns
     * `{ error: { type: 'NoThread' } }`.
     * @param {{ namespace: string, threadId: string, retention: Policy | null, now: number }} a
     */
    setRetention(a) {
      const row = headRow(a.namespace, a.threadId);
      if (!row) return { error: { type: 'NoThread' } };
      row.max_entries = a.retention?.maxEntries ?? null;
      row.max_age_seconds = a.retention?.maxAgeSeconds ?? null;
      row.updated_at = a.now;
      st.setPolicy.run(row.max_entries, row.max_age_seconds, a.now, a.namespace, orderedKey(a.threadId));
      return applyPolicy(a.namespace, a.threadId, row, a.now);
    },

    /**
     * Applies one thread's policy at `now` (a sweep's step); a thread gone since is dropped 0.
     * @param {{ namespace: string, threadId: string, now: number }} a
     */
    applyPolicy(a) {
      const row = headRow(a.namespace, a.threadId);
      return row ? applyPolicy(a.namespace, a.threadId, row, a.now) : { head: null, dropped: 0 };
    },

    /**
     * The head of a thread, for checkpoint pointers.
     * @param {string} namespace
     * @param {string} threadId
     */
    head: headRow,
  };
}
