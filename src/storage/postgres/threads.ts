import type pg from 'pg';
import { checkExpectedRev, isReplayOf, type PreparedAppend } from '../../domain/append.js';
import { RevisionConflict, StorageCorrupted } from '../../domain/errors.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import type { AppendEntriesResult, Page } from '../types.js';
import { decodeEntry, decodeHead, HEAD_COLUMNS, int, sortKey, threadChannel } from './codec.js';
import type { PostgresParts } from './storage.js';

/**
 * Journal operations of the Postgres adapter. Each runs as one statement (one implicit
 * transaction, one consistent snapshot) on a pooled client; the caller bounds its time.
 */

/**
 * The outcome of one append from its row of `append_batch` (schema-v3.ts) or of appendOneStatement
 * (append-one.ts), which has the same columns: 'ok' (written) or
 * 'check' (nothing written; the head, and the stored ids at expectedRev.. when they are all still
 * stored). On 'check' the rules of src/domain/append.ts decide: a recognised retry returns the
 * stored entries; a retry whose entries were trimmed (or whose thread is missing: a null life)
 * cannot be recognised and, like anything else, is a RevisionConflict.
 */
export function appendOutcome(
  append: PreparedAppend,
  bodies: string[],
  row: Record<string, unknown>,
): AppendEntriesResult & { thread: ThreadHead } {
  const { threadId, entries } = append;
  const rev = int(row.rev);
  if (row.status === 'ok') {
    const thread = decodeHead({ ...row, thread_id: threadId });
    const first = rev - entries.length;
    return { thread, entries: bodies.map((json, i) => decodeEntry(json, threadId, first + i)), replayed: false };
  }
  const decision = checkExpectedRev(append, rev);
  if (decision instanceof RevisionConflict) throw decision;
  const from = append.expectedRev ?? 0;
  const stored = row.life != null && from >= int(row.first_seq);
  const storedIds = (row.stored_ids as string[] | null) ?? [];
  if (decision === 'check-replay' && stored && isReplayOf(append, storedIds)) {
    const storedBodies = row.stored_bodies as string[];
    return {
      thread: decodeHead({ ...row, thread_id: threadId }),
      entries: storedBodies.map((json, i) => decodeEntry(json, threadId, from + i)),
      replayed: true,
    };
  }
  if (decision === 'check-replay' && stored && storedIds.length !== entries.length) {
    throw new StorageCorrupted(`journal of thread ${JSON.stringify(threadId)} is missing entries at seq ${from}..`);
  }
  throw new RevisionConflict(from, rev, `thread ${JSON.stringify(threadId)}`);
}

/**
 * Entries with seq ≥ max(fromSeq, firstSeq), ascending, at most `limit`: one index range scan
 * that starts at firstSeq (never walks over the index entries of trimmed rows).
 */
export async function readEntries(
  parts: PostgresParts,
  client: pg.ClientBase,
  key: { namespace: string; threadId: string; fromSeq: number; limit: number },
): Promise<Entry[]> {
  if (key.limit === 0) return [];
  const { rows } = await client.query({
    name: `${parts.schema}.read`,
    text:
      `SELECT t.rev, t.first_seq, e.seq, e.body FROM ${parts.S}.threads t JOIN ${parts.S}.entries e ` +
      `ON e.thread_pk = t.pk AND e.seq >= greatest($3, t.first_seq) ` +
      `WHERE t.namespace = $1 AND t.id_key = $2 ORDER BY e.seq LIMIT $4`,
    values: [key.namespace, sortKey(key.threadId), key.fromSeq, key.limit],
  });
  const entries = rows.map((r) => decodeEntry(r.body, key.threadId, int(r.seq)));
  if (rows.length) {
    const from = Math.max(key.fromSeq, int(rows[0].first_seq));
    checkContiguous(key.threadId, entries, from, int(rows[0].rev), key.limit);
  }
  return entries;
}

/** {@link HEAD_COLUMNS} of the `threads` row aliased `t` (readTail joins entries). */
const TAIL_HEAD_COLUMNS = HEAD_COLUMNS.split(', ').map((c) => `t.${c}`).join(', ');

/** The head and its last `limit` stored entries (from firstSeq at most), read in one statement (one snapshot). */
export async function readTail(
  parts: PostgresParts,
  client: pg.ClientBase,
  key: { namespace: string; threadId: string; limit: number },
): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
  const { rows } = await client.query({
    name: `${parts.schema}.tail`,
    text:
      `SELECT ${TAIL_HEAD_COLUMNS}, e.seq, e.body FROM ${parts.S}.threads t ` +
      `LEFT JOIN LATERAL (SELECT x.seq, x.body FROM ${parts.S}.entries x ` +
      `WHERE x.thread_pk = t.pk AND x.seq >= greatest(t.rev - $3, t.first_seq) ORDER BY x.seq) e ON true ` +
      `WHERE t.namespace = $1 AND t.id_key = $2 ORDER BY e.seq`,
    values: [key.namespace, sortKey(key.threadId), key.limit],
  });
  if (rows.length === 0) return { thread: null, entries: [] };
  const thread = decodeHead(rows[0]);
  const entries = rows.filter((r) => r.seq !== null).map((r) => decodeEntry(r.body, key.threadId, int(r.seq)));
  const from = Math.max(thread.firstSeq, thread.rev - key.limit);
  checkContiguous(key.threadId, entries, from, thread.rev, key.limit);
  return { thread, entries };
}

/** The head, or null. */
export async function getThread(
  parts: PostgresParts,
  client: pg.ClientBase,
  key: { namespace: string; threadId: string },
): Promise<ThreadHead | null> {
  const { rows } = await client.query({
    name: `${parts.schema}.head`,
    text: `SELECT ${HEAD_COLUMNS} FROM ${parts.S}.threads WHERE namespace = $1 AND id_key = $2`,
    values: [key.namespace, sortKey(key.threadId)],
  });
  return rows.length ? decodeHead(rows[0]) : null;
}

/** Deletes the thread and its entries (`delete_thread`, schema-v1.ts); true when it existed. */
export async function deleteThread(
  parts: PostgresParts,
  client: pg.ClientBase,
  key: { namespace: string; threadId: string },
): Promise<boolean> {
  const { rows } = await client.query({
    name: `${parts.schema}.delete-thread`,
    text: `SELECT ${parts.S}.delete_thread($1, $2, $3) AS deleted`,
    values: [key.namespace, sortKey(key.threadId), threadChannel(parts.schema, key.namespace, key.threadId)],
  });
  return rows[0].deleted === true;
}

/** One page of heads by id (UTF-16 order) after an exclusive id: a keyset scan of the unique index. */
export async function listThreads(
  parts: PostgresParts,
  client: pg.ClientBase,
  options: { namespace: string; first: number; after: string | null },
): Promise<Page<ThreadHead>> {
  const columns = HEAD_COLUMNS;
  const { rows } =
    options.after === null
      ? await client.query({
          name: `${parts.schema}.list-threads`,
          text: `SELECT ${columns} FROM ${parts.S}.threads WHERE namespace = $1 ORDER BY id_key LIMIT $2`,
          values: [options.namespace, options.first + 1],
        })
      : await client.query({
          name: `${parts.schema}.list-threads-after`,
          text: `SELECT ${columns} FROM ${parts.S}.threads WHERE namespace = $1 AND id_key > $2 ORDER BY id_key LIMIT $3`,
          values: [options.namespace, sortKey(options.after), options.first + 1],
        });
  const items = rows.slice(0, options.first).map(decodeHead);
  return { items, hasMore: rows.length > options.first };
}

/** Entries must be seq from, from+1, … up to min(rev, from+limit): anything else is damage. */
function checkContiguous(threadId: string, entries: Entry[], from: number, rev: number, limit: number): void {
  const expected = Math.max(0, Math.min(rev, from + limit) - from);
  if (rev === 0 && entries.length === 0) return;
  if (entries.length !== expected || entries.some((e, i) => e.seq !== from + i)) {
    throw new StorageCorrupted(
      `journal of thread ${JSON.stringify(threadId)} is missing entries: its head says rev ${rev} but ` +
        `${entries.length} of the ${expected} entries from seq ${from} exist`,
    );
  }
}
