import type pg from 'pg';
import { checkPutCheckpoint, type PointedThread, type PreparedCheckpoint } from '../../domain/checkpoint.js';
import type { Checkpoint } from '../../domain/types.js';
import type { CheckpointKey } from '../prepare-options.js';
import type { Page } from '../types.js';
import { checkpointChannel, decodeCheckpoint, int, sortKey } from './codec.js';
import type { PostgresParts } from './storage.js';

/**
 * Checkpoint operations of the Postgres adapter. A put is one transaction: lock the checkpoint
 * row (FOR UPDATE) and the pointed-at thread's head (FOR SHARE: a delete, re-creation or trim
 * waits until the put commits, and a put waits for a trim in flight, then sees its firstSeq) in
 * one statement, apply the CAS, replay and pointer rules, write, notify: BEGIN, lock, write,
 * COMMIT (four round trips).
 */

const COLUMNS = 'agent_type, agent_id, rev, version, state, thread_id, thread_rev, thread_life, created_at, updated_at';

/** Reads one checkpoint, or null. */
export async function getCheckpoint(parts: PostgresParts, client: pg.ClientBase, key: CheckpointKey): Promise<Checkpoint | null> {
  const { rows } = await client.query({
    name: `${parts.schema}.get-checkpoint`,
    text: `SELECT ${COLUMNS} FROM ${parts.S}.checkpoints WHERE namespace = $1 AND type_key = $2 AND agent_key = $3`,
    values: [key.namespace, sortKey(key.agentType), sortKey(key.agentId)],
  });
  return rows.length ? decodeCheckpoint(rows[0]) : null;
}

/** CAS + replay + pointer check + write + NOTIFY, in one transaction on `client`. */
export async function putCheckpoint(
  parts: PostgresParts,
  client: pg.ClientBase,
  put: PreparedCheckpoint,
  state: string,
): Promise<Checkpoint> {
  const { namespace, agentType, agentId } = put;
  const keys = [namespace, sortKey(agentType), sortKey(agentId)];
  for (let attempt = 0; ; attempt++) {
    await client.query('BEGIN');
    try {
      // With a pointer, both rows are locked by one statement (one round trip fewer): see lockRows.
      const locked = await client.query(lockRows(parts, keys, put.thread ? sortKey(put.thread.id) : null));
      const row = locked.rows[0] as Record<string, unknown> | undefined;
      const stored = row && row.rev != null ? decodeCheckpoint(row) : null;
      let pointed: PointedThread | null = null;
      if (row && row.head_rev != null) {
        pointed = { rev: int(row.head_rev), firstSeq: int(row.head_first_seq), life: String(row.head_life) };
      }
      if (checkPutCheckpoint(put, stored, pointed) === 'replay') {
        await client.query('COMMIT');
        return stored!;
      }
      const now = parts.now();
      const values = [
        ...keys,
        agentType,
        agentId,
        put.version,
        state,
        put.thread?.id ?? null,
        put.thread?.rev ?? null,
        put.thread ? pointed!.life : null,
        now,
        checkpointChannel(parts.schema, namespace),
      ];
      const notify =
        `SELECT ${COLUMNS}, pg_notify($12, json_build_object('type', 'checkpoint-saved', 'namespace', $1::text, ` +
        `'agentType', agent_type, 'agentId', agent_id, 'rev', rev)::text) FROM w`;
      const written = stored
        ? await client.query({
            name: `${parts.schema}.update-checkpoint`,
            text:
              `WITH w AS (UPDATE ${parts.S}.checkpoints SET agent_type = $4, agent_id = $5, rev = rev + 1, version = $6, ` +
              `state = $7, thread_id = $8, thread_rev = $9, thread_life = $10, updated_at = $11 ` +
              `WHERE namespace = $1 AND type_key = $2 AND agent_key = $3 RETURNING *) ${notify}`,
            values,
          })
        : await client.query({
            name: `${parts.schema}.insert-checkpoint`,
            text:
              `WITH w AS (INSERT INTO ${parts.S}.checkpoints (namespace, type_key, agent_key, agent_type, agent_id, rev, version, state, ` +
              `thread_id, thread_rev, thread_life, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $11) ` +
              `ON CONFLICT DO NOTHING RETURNING *) ${notify}`,
            values,
          });
      if (written.rows.length === 0) {
        // Created by a racing put after our read: start over, now with a row to lock.
        await client.query('ROLLBACK');
        if (attempt >= 3) throw new Error('checkpoint put kept racing with creations');
        continue;
      }
      await client.query('COMMIT');
      return decodeCheckpoint(written.rows[0]);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
}

/**
 * The first statement of a put: the checkpoint row `FOR UPDATE` and, for a put with a pointer,
 * the pointed-at head `FOR SHARE`, in one statement (one row; the head's columns are `head_rev`,
 * `head_first_seq`, `head_life`; a null `rev` or `head_rev`: no such row). Whichever of the two
 * it waits for, each lock returns the newest committed version of its row (READ COMMITTED): a put
 * that waited for a trim sees its firstSeq, one that waited for another put sees its rev. The
 * order of the two locks does not matter: nothing else locks a checkpoint row and then a head,
 * and shared head locks do not wait for each other. A thread created or re-created while the
 * statement waited reads as missing (the put then fails, writing nothing, as if it had come
 * before): see README.md (Atomicity).
 */
function lockRows(parts: PostgresParts, keys: unknown[], headKey: Buffer | null): pg.QueryConfig {
  const checkpoint = `SELECT ${COLUMNS} FROM ${parts.S}.checkpoints WHERE namespace = $1 AND type_key = $2 AND agent_key = $3 FOR UPDATE`;
  if (headKey === null) return { name: `${parts.schema}.lock-checkpoint`, text: checkpoint, values: keys };
  return {
    name: `${parts.schema}.lock-checkpoint-and-head`,
    text:
      `SELECT h.rev AS head_rev, h.first_seq AS head_first_seq, h.life AS head_life, c.* FROM (VALUES (1)) AS one (x) ` +
      `LEFT JOIN (SELECT rev, first_seq, life FROM ${parts.S}.threads WHERE namespace = $1 AND id_key = $4 FOR SHARE) h ON true ` +
      `LEFT JOIN (${checkpoint}) c ON true`,
    values: [...keys, headKey],
  };
}

/** Deletes one checkpoint and notifies; true when it existed. */
export async function deleteCheckpoint(parts: PostgresParts, client: pg.ClientBase, key: CheckpointKey): Promise<boolean> {
  const { rows } = await client.query({
    name: `${parts.schema}.delete-checkpoint`,
    text:
      `WITH d AS (DELETE FROM ${parts.S}.checkpoints WHERE namespace = $1 AND type_key = $2 AND agent_key = $3 RETURNING agent_type, agent_id) ` +
      `SELECT pg_notify($4, json_build_object('type', 'checkpoint-deleted', 'namespace', $1::text, 'agentType', agent_type, 'agentId', agent_id)::text) FROM d`,
    values: [key.namespace, sortKey(key.agentType), sortKey(key.agentId), checkpointChannel(parts.schema, key.namespace)],
  });
  return rows.length > 0;
}

/** One page by (agentType, agentId), optionally one agentType, after an exclusive key: keyset on the primary key. */
export async function listCheckpoints(
  parts: PostgresParts,
  client: pg.ClientBase,
  options: { namespace: string; agentType: string | null; first: number; after: { agentType: string; agentId: string } | null },
): Promise<Page<Checkpoint>> {
  const { namespace, agentType, first, after } = options;
  const from = `SELECT ${COLUMNS} FROM ${parts.S}.checkpoints WHERE namespace = $1`;
  const order = `ORDER BY type_key, agent_key`;
  let query: pg.QueryConfig;
  if (agentType === null) {
    query = after
      ? {
          name: `${parts.schema}.list-cp-after`,
          text: `${from} AND (type_key, agent_key) > ($2, $3) ${order} LIMIT $4`,
          values: [namespace, sortKey(after.agentType), sortKey(after.agentId), first + 1],
        }
      : { name: `${parts.schema}.list-cp`, text: `${from} ${order} LIMIT $2`, values: [namespace, first + 1] };
  } else if (after && after.agentType > agentType) {
    return { items: [], hasMore: false };
  } else {
    query =
      after && after.agentType === agentType
        ? {
            name: `${parts.schema}.list-cp-type-after`,
            text: `${from} AND type_key = $2 AND agent_key > $3 ${order} LIMIT $4`,
            values: [namespace, sortKey(agentType), sortKey(after.agentId), first + 1],
          }
        : {
            name: `${parts.schema}.list-cp-type`,
            text: `${from} AND type_key = $2 ${order} LIMIT $3`,
            values: [namespace, sortKey(agentType), first + 1],
          };
  }
  const { rows } = await client.query(query);
  return { items: rows.slice(0, first).map(decodeCheckpoint), hasMore: rows.length > first };
}
