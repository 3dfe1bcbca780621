/**
 * Migration 3: retention (issue 12). Upgrades a v2 schema in place: `threads` gains `first_seq`
 * (0 for existing threads: nothing trimmed) and the policy columns (null: no policy), both added
 * without rewriting the table; two indexes (threads with a policy, for the sweep; checkpoints by
 * the thread they point at, the reverse index a trim consults); the write functions are replaced
 * by ones that know firstSeq, startSeq and maxEntries, and the trim, policy and sweep functions
 * are added. Semantics: README.md (Retention). `S` is the quoted schema.
 */
export function schemaV3(S: string): string {
  return `
ALTER TABLE ${S}.threads
  ADD COLUMN first_seq       bigint  NOT NULL DEFAULT 0,
  ADD COLUMN max_entries     integer,
  ADD COLUMN max_age_seconds integer;

-- The sweep visits only threads with a policy, in pk order.
CREATE INDEX threads_with_policy ON ${S}.threads (pk) WHERE max_entries IS NOT NULL OR max_age_seconds IS NOT NULL;

-- Reverse index thread → checkpoints: the lowest pointer into a thread is one index range.
CREATE INDEX checkpoints_by_thread ON ${S}.checkpoints (namespace, thread_id, thread_rev) WHERE thread_id IS NOT NULL;

DROP FUNCTION ${S}.append_batch(text[], bytea[], text[], bigint[], boolean[], text[], timestamptz[], uuid[], integer[], text[], text[], text[]);
DROP FUNCTION ${S}.append_entries(text, bytea, text, bigint, boolean, text, timestamptz, uuid, text[], text[], text);

-- The checkpoint with the lowest pointer rev into this life of the thread (a pointer stored
-- without a life counts for every life); ties by (agent type, agent id). No row: none.
CREATE FUNCTION ${S}.lowest_pointer(p_namespace text, p_thread_id text, p_life uuid)
RETURNS TABLE (agent_type text, agent_id text, thread_rev bigint)
LANGUAGE sql STABLE AS $fn$
  SELECT c.agent_type, c.agent_id, c.thread_rev FROM ${S}.checkpoints c
  WHERE c.namespace = p_namespace AND c.thread_id = p_thread_id AND (c.thread_life IS NULL OR c.thread_life = p_life)
  ORDER BY c.thread_rev, c.type_key, c.agent_key LIMIT 1
$fn$;

-- The entry time below which a maxAgeSeconds policy expires entries at p_now, as
-- Date.toISOString prints it (entry times are stored that way, so text order is time order).
CREATE FUNCTION ${S}.age_cutoff(p_now timestamptz, p_max_age integer) RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT to_char(greatest(p_now - make_interval(secs => p_max_age), '0001-01-01 00:00:00+00'::timestamptz) AT TIME ZONE 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$fn$;

-- The first_seq the thread's policy asks for at p_now (src/domain/retention.ts policyTarget):
-- the further of rev - max_entries and the end of the expired prefix (walked from first_seq,
-- stopping at the first young entry: the cost is what it drops), neither past p_low (the lowest
-- pointer rev, null for none). target = t.first_seq: nothing to drop. The walk reads at most
-- p_walk entries (entry times are parsed JSON: about 150,000/s), so one transaction stays short;
-- cut = true when it stopped there (call again, in a new transaction, to go on).
CREATE FUNCTION ${S}.policy_target(t ${S}.threads, p_now timestamptz, p_low bigint, p_walk integer,
                                   OUT target bigint, OUT cut boolean)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  v_limit bigint := least(t.rev, coalesce(p_low, t.rev));
  v_count bigint := t.first_seq;
  v_age bigint := t.first_seq;
  v_cutoff text;
  e record;
BEGIN
  cut := false;
  IF t.max_entries IS NOT NULL THEN
    v_count := greatest(t.first_seq, least(t.rev - t.max_entries, v_limit));
  END IF;
  IF t.max_age_seconds IS NOT NULL THEN
    v_cutoff := ${S}.age_cutoff(p_now, t.max_age_seconds);
    FOR e IN SELECT x.seq, x.body FROM ${S}.entries x
             WHERE x.thread_pk = t.pk AND x.seq >= t.first_seq AND x.seq < least(v_limit, t.first_seq + p_walk) ORDER BY x.seq LOOP
      EXIT WHEN (e.body::json ->> 'at') COLLATE "C" >= v_cutoff COLLATE "C";
      v_age := e.seq + 1;
    END LOOP;
    -- Every entry it read was expired and more may be: only then can the age go further than the count.
    cut := v_age = t.first_seq + p_walk AND v_age < v_limit AND v_age >= v_count;
  END IF;
  target := greatest(v_count, v_age);
END
$fn$;

-- Drops the entries of head t (locked by the caller) below p_target, moves first_seq, notifies
-- 'thread-trimmed'. Returns the number of entries dropped. Rows below first_seq may still exist
-- back to the previous multiple of 64 (maxEntries deletes by blocks, see append_entries): the
-- delete starts there.
CREATE FUNCTION ${S}.drop_prefix(t ${S}.threads, p_target bigint, p_now timestamptz, p_channel text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM ${S}.entries e WHERE e.thread_pk = t.pk AND e.seq >= t.first_seq - t.first_seq % 64 AND e.seq < p_target;
  UPDATE ${S}.threads h SET first_seq = p_target, updated_at = p_now WHERE h.pk = t.pk;
  PERFORM pg_notify(p_channel, json_build_object(
    'type', 'thread-trimmed', 'namespace', t.namespace, 'threadId', t.thread_id, 'firstSeq', p_target)::text);
  RETURN p_target - t.first_seq;
END
$fn$;

-- One append, one transaction (the caller runs it as a single statement). Locks the head row
-- (creating it at rev = first_seq = p_start, with the policy, when the thread is missing and the
-- call may create it), then either writes the entries, applies max_entries (never past the
-- lowest pointer), bumps the head and notifies ('ok'), or writes nothing and reports the head
-- plus, when they are all still stored, the ids/bodies at expected_rev.. ('check'): the caller
-- applies the rules of src/domain/append.ts to that report. A missing thread reports
-- rev = first_seq = p_start and a null life.
-- max_entries moves first_seq on every append; for max_entries ≥ 256 the rows below it are
-- deleted by whole blocks of 64 seqs (one DELETE per 64 appends instead of one per append), so up
-- to 63 trimmed rows per thread wait for the next block. Nothing reads them: every read, replay
-- check and policy walk starts at first_seq. Invariant: no row below first_seq - first_seq % 64.
CREATE FUNCTION ${S}.append_entries(
  p_namespace text, p_id_key bytea, p_thread_id text, p_expected bigint, p_want_stored boolean,
  p_metadata text, p_now timestamptz, p_life uuid, p_start bigint, p_max_entries integer, p_max_age integer,
  p_ids text[], p_bodies text[], p_channel text
) RETURNS TABLE (status text, rev bigint, first_seq bigint, life uuid, metadata text, created_at timestamptz,
                 updated_at timestamptz, max_entries integer, max_age_seconds integer, stored_ids text[], stored_bodies text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
  n bigint := cardinality(p_ids);
  v_rev bigint;
  v_first bigint;
  v_low bigint;
  v_to bigint;
BEGIN
  LOOP
    SELECT * INTO t FROM ${S}.threads h WHERE h.namespace = p_namespace AND h.id_key = p_id_key FOR UPDATE;
    EXIT WHEN FOUND;
    IF p_expected IS NOT NULL AND p_expected <> p_start THEN
      RETURN QUERY SELECT 'check'::text, p_start, p_start, NULL::uuid, NULL::text, NULL::timestamptz, NULL::timestamptz,
        NULL::integer, NULL::integer, NULL::text[], NULL::text[];
      RETURN;
    END IF;
    INSERT INTO ${S}.threads AS h (namespace, id_key, thread_id, rev, first_seq, life, metadata, created_at, updated_at, max_entries, max_age_seconds)
      VALUES (p_namespace, p_id_key, p_thread_id, p_start, p_start, p_life, p_metadata, p_now, p_now, p_max_entries, p_max_age)
      ON CONFLICT DO NOTHING
      RETURNING * INTO t;
    EXIT WHEN FOUND;
  END LOOP;
  IF p_expected IS NOT NULL AND p_expected <> t.rev THEN
    IF p_want_stored AND p_expected + n <= t.rev AND p_expected >= t.first_seq THEN
      RETURN QUERY SELECT 'check'::text, t.rev, t.first_seq, t.life, t.metadata, t.created_at, t.updated_at,
        t.max_entries, t.max_age_seconds, array_agg(e.id ORDER BY e.seq), array_agg(e.body ORDER BY e.seq)
        FROM ${S}.entries e WHERE e.thread_pk = t.pk AND e.seq >= p_expected AND e.seq < p_expected + n;
    ELSE
      RETURN QUERY SELECT 'check'::text, t.rev, t.first_seq, t.life, t.metadata, t.created_at, t.updated_at,
        t.max_entries, t.max_age_seconds, NULL::text[], NULL::text[];
    END IF;
    RETURN;
  END IF;
  INSERT INTO ${S}.entries (thread_pk, seq, id, body)
    SELECT t.pk, t.rev + x.o - 1, x.i, x.b FROM unnest(p_ids, p_bodies) WITH ORDINALITY AS x(i, b, o);
  v_rev := t.rev + n;
  v_first := t.first_seq;
  IF t.max_entries IS NOT NULL AND v_rev - v_first > t.max_entries THEN
    SELECT p.thread_rev INTO v_low FROM ${S}.lowest_pointer(p_namespace, t.thread_id, t.life) p;
    v_first := greatest(v_first, least(v_rev - t.max_entries, coalesce(v_low, v_rev)));
    v_to := CASE WHEN t.max_entries >= 256 THEN v_first - v_first % 64 ELSE v_first END;
    IF v_to > t.first_seq - t.first_seq % 64 THEN
      DELETE FROM ${S}.entries e WHERE e.thread_pk = t.pk AND e.seq >= t.first_seq - t.first_seq % 64 AND e.seq < v_to;
    END IF;
  END IF;
  UPDATE ${S}.threads h SET rev = v_rev, first_seq = v_first, updated_at = p_now WHERE h.pk = t.pk;
  PERFORM pg_notify(p_channel, json_build_object(
    'type', 'thread-appended', 'namespace', p_namespace, 'threadId', t.thread_id, 'rev', v_rev)::text);
  RETURN QUERY SELECT 'ok'::text, v_rev, v_first, t.life, t.metadata, t.created_at, p_now, t.max_entries, t.max_age_seconds,
    NULL::text[], NULL::text[];
END
$fn$;

-- Several appends in one statement (one transaction, one commit): append_entries for each, in
-- the given order. The caller orders them by (namespace, id_key) so that every transaction
-- locks heads in the same order (no deadlocks between batches); appends to one thread keep
-- their order. Entries of append i are p_ids/p_bodies[pos .. pos + p_counts[i] - 1].
CREATE FUNCTION ${S}.append_batch(
  p_namespaces text[], p_id_keys bytea[], p_thread_ids text[], p_expected bigint[], p_want_stored boolean[],
  p_metadata text[], p_nows timestamptz[], p_lives uuid[], p_starts bigint[], p_max_entries integer[], p_max_ages integer[],
  p_counts integer[], p_ids text[], p_bodies text[], p_channels text[]
) RETURNS TABLE (idx integer, status text, rev bigint, first_seq bigint, life uuid, metadata text, created_at timestamptz,
                 updated_at timestamptz, max_entries integer, max_age_seconds integer, stored_ids text[], stored_bodies text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  pos integer := 1;
BEGIN
  FOR i IN 1 .. cardinality(p_counts) LOOP
    RETURN QUERY SELECT i, a.* FROM ${S}.append_entries(
      p_namespaces[i], p_id_keys[i], p_thread_ids[i], p_expected[i], p_want_stored[i], p_metadata[i], p_nows[i],
      p_lives[i], p_starts[i], p_max_entries[i], p_max_ages[i],
      p_ids[pos:pos + p_counts[i] - 1], p_bodies[pos:pos + p_counts[i] - 1], p_channels[i]) a;
    pos := pos + p_counts[i];
  END LOOP;
END
$fn$;

-- trimThread in one statement: locks the head, finds the lowest pointer, and drops the prefix
-- below p_before only when every rule of checkTrim (src/domain/retention.ts) lets it: rev as
-- expected, p_before ≤ rev, p_before > first_seq, p_before ≤ the lowest pointer. Returns the head
-- after the call, what it dropped, and the lowest pointer (the caller turns a refusal into the
-- typed error with checkTrim). No row: the thread does not exist.
CREATE FUNCTION ${S}.trim_thread(p_namespace text, p_id_key bytea, p_before bigint, p_expected bigint, p_now timestamptz, p_channel text)
RETURNS TABLE (dropped bigint, thread_id text, rev bigint, first_seq bigint, life uuid, metadata text, created_at timestamptz,
               updated_at timestamptz, max_entries integer, max_age_seconds integer,
               holder_type text, holder_id text, holder_rev bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
  v_type text;
  v_id text;
  v_low bigint;
  v_dropped bigint := 0;
BEGIN
  SELECT * INTO t FROM ${S}.threads h WHERE h.namespace = p_namespace AND h.id_key = p_id_key FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT p.agent_type, p.agent_id, p.thread_rev INTO v_type, v_id, v_low FROM ${S}.lowest_pointer(p_namespace, t.thread_id, t.life) p;
  IF (p_expected IS NULL OR p_expected = t.rev) AND p_before <= t.rev AND p_before > t.first_seq
     AND (v_low IS NULL OR p_before <= v_low) THEN
    v_dropped := ${S}.drop_prefix(t, p_before, p_now, p_channel);
    t.first_seq := p_before;
    t.updated_at := p_now;
  END IF;
  RETURN QUERY SELECT v_dropped, t.thread_id, t.rev, t.first_seq, t.life, t.metadata, t.created_at, t.updated_at,
    t.max_entries, t.max_age_seconds, v_type, v_id, v_low;
END
$fn$;

-- setThreadRetention in one statement: locks the head, stores the policy (nulls: none) and
-- applies it at p_now as far as the lowest pointer allows (the age walk at most p_walk entries:
-- more = true when the caller must go on with apply_retention). Returns the head after the call;
-- no row: the thread does not exist.
CREATE FUNCTION ${S}.set_retention(p_namespace text, p_id_key bytea, p_max_entries integer, p_max_age integer, p_now timestamptz,
                                   p_channel text, p_walk integer)
RETURNS TABLE (pk bigint, thread_id text, rev bigint, first_seq bigint, life uuid, metadata text, created_at timestamptz,
               updated_at timestamptz, max_entries integer, max_age_seconds integer, more boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
  v_low bigint;
  v_target bigint;
  v_cut boolean;
BEGIN
  UPDATE ${S}.threads h SET max_entries = p_max_entries, max_age_seconds = p_max_age, updated_at = p_now
    WHERE h.namespace = p_namespace AND h.id_key = p_id_key RETURNING * INTO t;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT p.thread_rev INTO v_low FROM ${S}.lowest_pointer(p_namespace, t.thread_id, t.life) p;
  SELECT x.target, x.cut INTO v_target, v_cut FROM ${S}.policy_target(t, p_now, v_low, p_walk) x;
  IF v_target > t.first_seq THEN
    PERFORM ${S}.drop_prefix(t, v_target, p_now, p_channel);
    t.first_seq := v_target;
  END IF;
  RETURN QUERY SELECT t.pk, t.thread_id, t.rev, t.first_seq, t.life, t.metadata, t.created_at, t.updated_at, t.max_entries,
    t.max_age_seconds, v_cut;
END
$fn$;

-- One thread's turn in a sweep (its own transaction): locks the head by pk and applies its
-- policy at p_now (entry times) as far as the lowest pointer allows, the age walk at most p_walk
-- entries. Returns the entries dropped (0 when the thread is gone or has nothing to drop) and
-- more = true when the walk stopped at p_walk (call again to go on).
CREATE FUNCTION ${S}.apply_retention(p_pk bigint, p_now timestamptz, p_write_now timestamptz, p_channel text, p_walk integer,
                                     OUT dropped bigint, OUT more boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
  v_low bigint;
  v_target bigint;
BEGIN
  dropped := 0;
  more := false;
  SELECT * INTO t FROM ${S}.threads h WHERE h.pk = p_pk FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT p.thread_rev INTO v_low FROM ${S}.lowest_pointer(t.namespace, t.thread_id, t.life) p;
  SELECT x.target, x.cut INTO v_target, more FROM ${S}.policy_target(t, p_now, v_low, p_walk) x;
  IF v_target > t.first_seq THEN
    dropped := ${S}.drop_prefix(t, v_target, p_write_now, p_channel);
  END IF;
END
$fn$;
`;
}
