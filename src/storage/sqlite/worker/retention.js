// @ts-check
/**
 * Retention in the worker: the lowest checkpoint pointer into a thread (through the reverse index
 * `checkpoint_pointers`, never a scan), what a policy asks to drop, and dropping a prefix. Mirrors
 * lowestPointer, maxEntriesTarget, ageCutoff, ageTarget and policyTarget of
 * src/domain/retention.ts (kept in step with them by the conformance suite); runs inside the
 * caller's write transaction, so a check and the trim it allows are one atomic step.
 */
import { fromOrderedKey, orderedKey } from './keys.js';

/**
 * @typedef {{ tid: number, rev: number, life: string, first_seq: number, max_entries: number | null,
 *   max_age_seconds: number | null }} RetainedHead
 * @typedef {{ agentType: string, agentId: string, rev: number }} PointerHolder
 */

/** The earliest time an age cutoff goes back to (0001-01-01, as ageCutoff clamps it). */
const EARLIEST_MS = -62135596800000;

/**
 * maxEntries on append moves firstSeq on every append but deletes the rows below it only when
 * firstSeq crosses a multiple of this (one range delete per PURGE_BATCH entries pushed out, so a
 * commit does not rewrite the thread's oldest leaf every time). Until then those rows are stored
 * but never read: every read starts at firstSeq. Explicit trims, policy changes and sweeps delete
 * at once.
 */
export const PURGE_BATCH = 256;

/** @param {import('better-sqlite3').Database} db */
export function createRetention(db) {
  const st = {
    // INDEXED BY: preparing fails (rather than plan a scan) if the index could not serve it.
    lowestPointer: db.prepare(
      'SELECT agent_type, agent_id, thread_rev FROM checkpoints INDEXED BY checkpoint_pointers ' +
        'WHERE namespace = ? AND thread_id = ? AND thread_life = ? ORDER BY thread_rev, agent_type, agent_id LIMIT 1',
    ),
    // No lower bound: the range starts at the thread's lowest stored row, which may be below
    // firstSeq when maxEntries left rows for its next batch (see dropBelow).
    dropBelow: db.prepare('DELETE FROM entries WHERE tid = ? AND seq < ?'),
    times: db.prepare('SELECT seq, at FROM entries WHERE tid = ? AND seq >= ? AND seq < ? ORDER BY seq'),
    withPolicy: db.prepare(
      'SELECT namespace, id FROM threads INDEXED BY threads_with_policy ' +
        'WHERE (max_entries IS NOT NULL OR max_age_seconds IS NOT NULL) AND (namespace, id) > (?, ?) ORDER BY namespace, id LIMIT ?',
    ),
  };

  /**
   * The checkpoint with the lowest pointer into this life of the thread (ties: by agent type,
   * then agent id, in UTF-16 order), or null when none points here.
   * @param {string} namespace
   * @param {string} threadId
   * @param {string} life
   * @returns {PointerHolder | null}
   */
  function lowestPointer(namespace, threadId, life) {
    const row = /** @type {{ agent_type: Uint8Array, agent_id: Uint8Array, thread_rev: number } | undefined} */ (
      st.lowestPointer.get(namespace, threadId, life)
    );
    return row ? { agentType: fromOrderedKey(row.agent_type), agentId: fromOrderedKey(row.agent_id), rev: row.thread_rev } : null;
  }

  return {
    lowestPointer,

    /**
     * The firstSeq a maxEntries policy asks for once the thread is at `head.rev`, never past the
     * lowest pointer; null when nothing is to drop. Looks the pointer up only when the policy
     * alone would drop something (so an append within its policy costs no extra read).
     * @param {string} namespace
     * @param {string} threadId
     * @param {RetainedHead} head
     * @returns {number | null}
     */
    maxEntriesTarget(namespace, threadId, head) {
      if (head.max_entries === null) return null;
      let target = head.rev - head.max_entries;
      if (target <= head.first_seq) return null;
      const lowest = lowestPointer(namespace, threadId, head.life);
      if (lowest) target = Math.min(target, lowest.rev);
      return target > head.first_seq ? target : null;
    },

    /**
     * The firstSeq the whole policy asks for at `now` (epoch ms): the further of the maxEntries
     * target and the longest prefix of entries older than maxAgeSeconds, both bounded by the
     * lowest pointer; null when nothing is to drop. The age walk reads entry times from firstSeq
     * up and stops at the first young one: its cost is what it drops.
     * @param {string} namespace
     * @param {string} threadId
     * @param {RetainedHead} head
     * @param {number} now
     * @returns {number | null}
     */
    policyTarget(namespace, threadId, head, now) {
      if (head.max_entries === null && head.max_age_seconds === null) return null;
      const lowest = lowestPointer(namespace, threadId, head.life);
      const limit = lowest === null ? head.rev : Math.min(head.rev, lowest.rev);
      let target = head.first_seq;
      if (head.max_entries !== null) target = Math.max(target, Math.min(head.rev - head.max_entries, limit));
      if (head.max_age_seconds !== null) {
        const cutoff = Math.max(now - head.max_age_seconds * 1000, EARLIEST_MS);
        let byAge = head.first_seq;
        for (const entry of /** @type {Iterable<{ seq: number, at: number }>} */ (st.times.iterate(head.tid, head.first_seq, limit))) {
          if (entry.at >= cutoff) break;
          byAge = entry.seq + 1;
        }
        target = Math.max(target, byAge);
      }
      return target > head.first_seq ? target : null;
    },

    /**
     * Deletes every stored entry of thread `tid` with seq < beforeSeq (the caller sets firstSeq
     * in the same transaction). Cost: the rows deleted.
     * @param {number} tid
     * @param {number} beforeSeq
     */
    dropBelow(tid, beforeSeq) {
      st.dropBelow.run(tid, beforeSeq);
    },

    /**
     * One page of the threads that have a policy, in (namespace, id) order after `after`.
     * @param {{ after: { namespace: string, threadId: string } | null, limit: number }} a
     * @returns {{ namespace: string, threadId: string }[]}
     */
    threadsWithPolicy(a) {
      const namespace = a.after?.namespace ?? '';
      const id = a.after ? orderedKey(a.after.threadId) : Buffer.alloc(0);
      const rows = /** @type {{ namespace: string, id: Uint8Array }[]} */ (st.withPolicy.all(namespace, id, a.limit));
      return rows.map((r) => ({ namespace: r.namespace, threadId: fromOrderedKey(r.id) }));
    },
  };
}
