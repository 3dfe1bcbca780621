// @ts-check
/**
 * Agent checkpoints in the worker: get, put (expected revision, thread pointer with its life,
 * replay of a put whose reply was lost), delete and list.
 */
import { checkpointCrc, ChecksumMismatch, fromOrderedKey, orderedKey } from './keys.js';

/**
 * @typedef {{ agent_type: Uint8Array, agent_id: Uint8Array, rev: number, version: number, state: string,
 *   thread_id: string | null, thread_rev: number | null, thread_life: string | null,
 *   created_at: number, updated_at: number, crc: number }} CheckpointRow
 * @typedef {{ agentType: string, agentId: string, rev: number, version: number, state: string,
 *   thread: { id: string, rev: number, life?: string } | null, createdAt: number, updatedAt: number }} CheckpointOut
 * @typedef {{ namespace: string, agentType: string, agentId: string, state: string, version: number,
 *   thread: { id: string, rev: number, life: string | null } | null, expectedRev: number | null, now: number }} PutIn
 */

const COLUMNS = 'agent_type, agent_id, rev, version, state, thread_id, thread_rev, thread_life, created_at, updated_at, crc';

/**
 * @param {import('better-sqlite3').Database} db
 * @param {ReturnType<typeof import('./journal.js').createJournal>} journal
 */
export function createCheckpoints(db, journal) {
  const st = {
    get: db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE namespace = ? AND agent_type = ? AND agent_id = ?`),
    upsert: db.prepare(
      `INSERT OR REPLACE INTO checkpoints (namespace, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    delete: db.prepare('DELETE FROM checkpoints WHERE namespace = ? AND agent_type = ? AND agent_id = ?'),
    listAll: db.prepare(
      `SELECT ${COLUMNS} FROM checkpoints WHERE namespace = ? AND (agent_type, agent_id) > (?, ?) ORDER BY agent_type, agent_id LIMIT ?`,
    ),
    listType: db.prepare(
      `SELECT ${COLUMNS} FROM checkpoints WHERE namespace = ? AND agent_type = ? AND agent_id > ? ORDER BY agent_id LIMIT ?`,
    ),
  };

  /**
   * @param {string} namespace
   * @param {CheckpointRow} row
   * @returns {CheckpointOut}
   */
  function out(namespace, row) {
    const agentType = fromOrderedKey(row.agent_type);
    const agentId = fromOrderedKey(row.agent_id);
    if (checkpointCrc(row) !== row.crc) {
      throw new ChecksumMismatch(`checkpoint ${JSON.stringify(agentType)}/${JSON.stringify(agentId)} in namespace ${JSON.stringify(namespace)}`);
    }
    /** @type {CheckpointOut['thread']} */
    let thread = null;
    if (row.thread_id !== null && row.thread_rev !== null) {
      thread = { id: row.thread_id, rev: row.thread_rev };
      if (row.thread_life !== null) thread.life = row.thread_life;
    }
    return { agentType, agentId, rev: row.rev, version: row.version, state: row.state, thread, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  /** @param {{ namespace: string, agentType: string, agentId: string }} a */
  const getRow = (a) =>
    /** @type {CheckpointRow | undefined} */ (st.get.get(a.namespace, orderedKey(a.agentType), orderedKey(a.agentId)));

  return {
    /** @param {{ namespace: string, agentType: string, agentId: string }} a */
    get(a) {
      const row = getRow(a);
      return row ? out(a.namespace, row) : null;
    },

    /**
     * Mirrors checkPutCheckpoint (isCheckpointReplay, checkThreadPointer: a pointer below the
     * thread's firstSeq is refused) and nextCheckpoint of src/domain/checkpoint.ts, inside the
     * write transaction, so a put and a trim are atomic with respect to each other.
     * @param {PutIn} p
     */
    put(p) {
      const row = getRow(p);
      const current = row ? out(p.namespace, row) : null;
      const actualRev = current?.rev ?? 0;
      if (p.expectedRev !== null && p.expectedRev !== actualRev) {
        if (current && current.rev === p.expectedRev + 1 && current.version === p.version && samePointer(current.thread, p.thread) &&
          jsonEqual(JSON.parse(current.state), JSON.parse(p.state))) {
          return { replayed: true, checkpoint: current };
        }
        return { error: { type: 'RevisionConflict', expectedRev: p.expectedRev, actualRev } };
      }
      let life = null;
      if (p.thread) {
        const head = journal.head(p.namespace, p.thread.id);
        const threadRev = head?.rev ?? 0;
        if (!head || threadRev < p.thread.rev) {
          return { error: { type: 'InvalidThreadPointer', threadId: p.thread.id, pointerRev: p.thread.rev, storedRev: threadRev } };
        }
        if (p.thread.life !== null && p.thread.life !== head.life) {
          return { error: { type: 'InvalidThreadPointer', threadId: p.thread.id, pointerRev: p.thread.rev, storedRev: threadRev, reason: 'other-life' } };
        }
        if (p.thread.rev < head.first_seq) {
          return { error: { type: 'InvalidThreadPointer', threadId: p.thread.id, pointerRev: p.thread.rev, storedRev: threadRev, reason: 'trimmed' } };
        }
        life = head.life;
      }
      /** @type {CheckpointRow} */
      const next = {
        agent_type: orderedKey(p.agentType),
        agent_id: orderedKey(p.agentId),
        rev: actualRev + 1,
        version: p.version,
        state: p.state,
        thread_id: p.thread?.id ?? null,
        thread_rev: p.thread?.rev ?? null,
        thread_life: life,
        created_at: current?.createdAt ?? p.now,
        updated_at: p.now,
        crc: 0,
      };
      next.crc = checkpointCrc(next);
      st.upsert.run(p.namespace, next.agent_type, next.agent_id, next.rev, next.version, next.state, next.thread_id, next.thread_rev,
        next.thread_life, next.created_at, next.updated_at, next.crc);
      return { replayed: false, checkpoint: out(p.namespace, next) };
    },

    /** @param {{ namespace: string, agentType: string, agentId: string }} a */
    delete(a) {
      return st.delete.run(a.namespace, orderedKey(a.agentType), orderedKey(a.agentId)).changes > 0;
    },

    /** @param {{ namespace: string, agentType: string | null, first: number, after: { agentType: string, agentId: string } | null }} a */
    list(a) {
      const empty = /** @type {Buffer} */ (Buffer.alloc(0));
      let rows;
      if (a.agentType === null) {
        const afterType = a.after ? orderedKey(a.after.agentType) : empty;
        const afterId = a.after ? orderedKey(a.after.agentId) : empty;
        rows = st.listAll.all(a.namespace, afterType, afterId, a.first + 1);
      } else {
        const type = orderedKey(a.agentType);
        let afterId = empty;
        if (a.after) {
          const cmp = Buffer.compare(orderedKey(a.after.agentType), type);
          if (cmp > 0) return { items: [], hasMore: false };
          if (cmp === 0) afterId = orderedKey(a.after.agentId);
        }
        rows = st.listType.all(a.namespace, type, afterId, a.first + 1);
      }
      const typed = /** @type {CheckpointRow[]} */ (rows);
      return { items: typed.slice(0, a.first).map((r) => out(a.namespace, r)), hasMore: typed.length > a.first };
    },
  };
}

/**
 * Mirrors samePointer of src/domain/checkpoint.ts: id and rev, and the life where both have one.
 * @param {{ id: string, rev: number, life?: string } | null} stored
 * @param {{ id: string, rev: number, life: string | null } | null} sent
 */
function samePointer(stored, sent) {
  if (stored === null || sent === null) return stored === sent;
  if (stored.id !== sent.id || stored.rev !== sent.rev) return false;
  return sent.life === null || stored.life === undefined || sent.life === stored.life;
}

/**
 * Deep equality of two parsed JSON values (object key order ignored).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const bo = /** @type {Record<string, unknown>} */ (b);
  const ao = /** @type {Record<string, unknown>} */ (a);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}
