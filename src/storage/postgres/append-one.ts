/**
 * The statement that sends one append on its own (the append batcher's lone append): the same
 * outcome as `append_entries` (schema-v3.ts), in one statement, usually without its plpgsql work.
 *
 * Fast branch (a data-modifying CTE): when the thread exists, its rev matches `expectedRev` (or
 * none was given) and it has no maxEntries policy, one `UPDATE` bumps and locks the head, one
 * `INSERT` writes the entries at the old rev, `pg_notify` announces them: 'ok'. Every other case
 * (a missing thread, a rev that does not match: conflict or retry, a thread with maxEntries,
 * which must read the lowest pointer after locking its head) matched no row, wrote nothing, and
 * goes to `append_entries` in the same statement, unchanged. In READ COMMITTED, an `UPDATE` that
 * waited for another transaction's lock re-checks its condition on the row that transaction
 * committed, so the rev check never uses a stale rev. Measured with bench/postgres-storage.ts:
 * see bench/README.md (Postgres).
 *
 * Parameters are `append_entries`'s, in its order; the row has its columns. Does NOT promise
 * anything `append_entries` does not: it is only a cheaper way to the same rows.
 */
export function appendOneStatement(S: string): string {
  return `WITH h AS (
  UPDATE ${S}.threads t SET rev = t.rev + cardinality($12::text[]), updated_at = $7
  WHERE t.namespace = $1 AND t.id_key = $2 AND ($4::bigint IS NULL OR t.rev = $4) AND t.max_entries IS NULL
  RETURNING t.pk, t.thread_id, t.rev, t.first_seq, t.life, t.metadata, t.created_at, t.max_entries, t.max_age_seconds
), ins AS (
  INSERT INTO ${S}.entries (thread_pk, seq, id, body)
  SELECT h.pk, h.rev - cardinality($12::text[]) + x.o - 1, x.i, x.b
  FROM h, unnest($12::text[], $13::text[]) WITH ORDINALITY AS x(i, b, o)
), n AS (
  SELECT pg_notify($14, json_build_object('type', 'thread-appended', 'namespace', $1::text, 'threadId', h.thread_id, 'rev', h.rev)::text)
  FROM h
)
SELECT 'ok'::text AS status, h.rev, h.first_seq, h.life, h.metadata, h.created_at, $7::timestamptz AS updated_at,
       h.max_entries, h.max_age_seconds, NULL::text[] AS stored_ids, NULL::text[] AS stored_bodies
FROM h, n
UNION ALL
SELECT a.* FROM ${S}.append_entries($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) a
WHERE NOT EXISTS (SELECT FROM h)`;
}
