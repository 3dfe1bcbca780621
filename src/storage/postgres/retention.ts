import type pg from 'pg';
import { checkTrim, requireThread, type PreparedSetRetention, type PreparedTrim } from '../../domain/retention.js';
import type { ThreadHead } from '../../domain/types.js';
import type { SweepRetentionResult, TrimThreadResult } from '../types.js';
import { decodeHead, HEAD_COLUMNS, int, sortKey, threadChannel } from './codec.js';
import { withSession, type SessionQuery } from './connection.js';
import type { PostgresParts } from './storage.js';

/**
 * Retention on Postgres (README.md, Retention). A trim, a policy change and each thread's turn
 * in a sweep are one statement each (one transaction): the thread's head row is locked FOR
 * UPDATE, the lowest checkpoint pointer into the thread's life is read through the reverse index
 * `checkpoints_by_thread`, the prefix is deleted, firstSeq moved and 'thread-trimmed' notified.
 * A checkpoint put locks the same head FOR SHARE, so a trim and a put never interleave.
 */

/** Threads a sweep reads per statement. */
const SWEEP_PAGE = 500;

/**
 * Most entries one transaction reads for a maxAgeSeconds policy (their times are parsed JSON,
 * about 150,000/s here): a longer expired prefix is dropped in several transactions, so the
 * thread's head is never locked for long and no statement nears the statement timeout.
 */
export const AGE_WALK = 20_000;

/** trimThread: `trim_thread` (schema-v3.ts) trims when every rule allows; checkTrim names the refusal. */
export async function trimThread(parts: PostgresParts, client: pg.ClientBase, trim: PreparedTrim): Promise<TrimThreadResult> {
  const { rows } = await client.query({
    name: `${parts.schema}.trim-thread`,
    text: `SELECT * FROM ${parts.S}.trim_thread($1, $2, $3, $4, $5, $6)`,
    values: [
      trim.namespace,
      sortKey(trim.threadId),
      trim.beforeSeq,
      trim.expectedRev ?? null,
      parts.now(),
      threadChannel(parts.schema, trim.namespace, trim.threadId),
    ],
  });
  const row = rows[0] as Record<string, unknown> | undefined;
  const head = row ? decodeHead(row) : null;
  const dropped = row ? int(row.dropped) : 0;
  if (dropped > 0) return { thread: head!, dropped };
  const lowest =
    row && row.holder_rev != null
      ? { agentType: String(row.holder_type), agentId: String(row.holder_id), rev: int(row.holder_rev) }
      : null;
  // Throws the refusal (missing thread, stale expectedRev, beforeSeq past rev or a pointer).
  if (checkTrim(trim, head, lowest) === 'trim') {
    throw new Error(`trim_thread refused a trim of ${JSON.stringify(trim.threadId)} that checkTrim allows`);
  }
  return { thread: head!, dropped: 0 };
}

/**
 * setThreadRetention: `set_retention` (schema-v3.ts) stores the policy and applies it; an expired
 * prefix longer than {@link AGE_WALK} entries is dropped by further `apply_retention` calls (one
 * transaction each) before this returns, then the head is read again. Each statement is bounded
 * by timeoutMs (a session, like the sweep), not the whole call.
 */
export function setThreadRetention(parts: PostgresParts, set: PreparedSetRetention): Promise<ThreadHead> {
  return withSession(parts.pool, parts.timeoutMs, (query) => setOnSession(parts, query, set));
}

async function setOnSession(parts: PostgresParts, query: SessionQuery, set: PreparedSetRetention): Promise<ThreadHead> {
  const now = parts.now();
  const channel = threadChannel(parts.schema, set.namespace, set.threadId);
  const { rows } = await query({
    name: `${parts.schema}.set-retention`,
    text: `SELECT * FROM ${parts.S}.set_retention($1, $2, $3, $4, $5, $6, $7)`,
    values: [set.namespace, sortKey(set.threadId), set.retention?.maxEntries ?? null, set.retention?.maxAgeSeconds ?? null, now, channel, AGE_WALK],
  });
  const row = requireThread(rows[0] as Record<string, unknown> | undefined, set.threadId);
  if (row.more !== true) return decodeHead(row);
  for (let more = true; more; ) more = (await applyRetention(parts, query, row.pk, now, channel)).more;
  const { rows: after } = await query({
    name: `${parts.schema}.head-by-pk`,
    text: `SELECT ${HEAD_COLUMNS} FROM ${parts.S}.threads WHERE pk = $1`,
    values: [row.pk],
  });
  return decodeHead(requireThread(after[0] as Record<string, unknown> | undefined, set.threadId));
}

/** One `apply_retention` call (its own transaction): entries dropped, and whether to call again. */
async function applyRetention(
  parts: PostgresParts,
  query: SessionQuery,
  pk: unknown,
  now: Date,
  channel: string,
): Promise<{ dropped: number; more: boolean }> {
  const { rows } = await query({
    name: `${parts.schema}.apply-retention`,
    text: `SELECT * FROM ${parts.S}.apply_retention($1, $2, $3, $4, $5)`,
    values: [pk, now, parts.now(), channel, AGE_WALK],
  });
  return { dropped: int(rows[0].dropped), more: rows[0].more === true };
}

/** The advisory lock key of a schema's sweep (a bigint from `hashtextextended`). */
export function sweepLockName(schema: string): string {
  return `cryo-retention-sweep:${schema}`;
}

/**
 * sweepRetention: on one pooled session, `pg_try_advisory_lock` on the schema's sweep key (taken:
 * another sweep runs, in this process or another; return skipped at once). Then pages of
 * threads with a policy by pk (the partial index `threads_with_policy`), each page one statement
 * that also tells which threads have something to drop (more entries than maxEntries, or an
 * expired first entry); each of those gets `apply_retention`, its own transaction (several for an
 * expired prefix longer than {@link AGE_WALK}), so appends to a thread wait at most for one of them. Unlocks at the end; a session that cannot unlock
 * is destroyed (its lock ends with it). Each statement is bounded by timeoutMs, not the sweep.
 */
export async function sweepRetention(parts: PostgresParts, now: Date): Promise<SweepRetentionResult> {
  const { S, schema } = parts;
  return withSession(parts.pool, parts.timeoutMs, async (query, discard) => {
    const lock = await query({
      text: 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      values: [sweepLockName(schema)],
    });
    if (lock.rows[0].locked !== true) return { skipped: true, trimmedThreads: 0, dropped: 0 };
    try {
      let trimmedThreads = 0;
      let dropped = 0;
      for (let after = 0; ; ) {
        const page = await query({
          name: `${schema}.sweep-page`,
          text:
            `SELECT t.pk, t.namespace, t.thread_id, (t.max_entries IS NOT NULL AND t.rev - t.first_seq > t.max_entries) OR ` +
            `(t.max_age_seconds IS NOT NULL AND EXISTS (SELECT 1 FROM ${S}.entries e WHERE e.thread_pk = t.pk AND e.seq = t.first_seq ` +
            `AND (e.body::json ->> 'at') COLLATE "C" < ${S}.age_cutoff($2, t.max_age_seconds) COLLATE "C")) AS due ` +
            `FROM ${S}.threads t WHERE (t.max_entries IS NOT NULL OR t.max_age_seconds IS NOT NULL) AND t.pk > $1 ` +
            `ORDER BY t.pk LIMIT ${SWEEP_PAGE}`,
          values: [after, now],
        });
        for (const row of page.rows) {
          if (row.due !== true) continue;
          const channel = threadChannel(schema, row.namespace, row.thread_id);
          let n = 0;
          for (let more = true; more; ) {
            const applied = await applyRetention(parts, query, row.pk, now, channel);
            n += applied.dropped;
            more = applied.more;
          }
          if (n > 0) {
            trimmedThreads++;
            dropped += n;
          }
        }
        if (page.rows.length < SWEEP_PAGE) break;
        after = int(page.rows[page.rows.length - 1].pk);
      }
      return { skipped: false, trimmedThreads, dropped };
    } finally {
      await query({ text: 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', values: [sweepLockName(schema)] }).catch(discard);
    }
  });
}
