/**
 * Migration 1: the tables, their indexes and the two write functions. `S` is the quoted schema.
 * Column and function meanings are documented in README.md (Table layout).
 */
export function schemaV1(S: string): string {
  return `
CREATE TABLE ${S}.threads (
  pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace   text        NOT NULL,
  id_key      bytea       NOT NULL,
  thread_id   text        NOT NULL,
  rev         bigint      NOT NULL,
  life        uuid        NOT NULL,
  metadata    text        NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (namespace, id_key)
) WITH (fillfactor = 80);

CREATE TABLE ${S}.entries (
  thread_pk   bigint NOT NULL,
  seq         bigint NOT NULL,
  id          text   NOT NULL,
  body        text   NOT NULL,
  PRIMARY KEY (thread_pk, seq)
);

CREATE TABLE ${S}.checkpoints (
  namespace    text        NOT NULL,
  type_key     bytea       NOT NULL,
  agent_key    bytea       NOT NULL,
  agent_type   text        NOT NULL,
  agent_id     text        NOT NULL,
  rev          bigint      NOT NULL,
  version      bigint      NOT NULL,
  state        text        NOT NULL,
  thread_id    text,
  thread_rev   bigint,
  thread_life  uuid,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (namespace, type_key, agent_key)
);

-- One append, one transaction (the caller runs it as a single statement). Locks the head row
-- (creating it when the thread is missing and the call may create it), then either writes the
-- entries, bumps the head and notifies ('ok'), or writes nothing and reports the head plus the
-- stored ids/bodies at expected_rev.. ('check'): the caller applies the expected-revision and
-- idempotent-retry rules of src/domain/append.ts to that report.
CREATE FUNCTION ${S}.append_entries(
  p_namespace text, p_id_key bytea, p_thread_id text, p_expected bigint, p_want_stored boolean,
  p_metadata text, p_now timestamptz, p_life uuid, p_ids text[], p_bodies text[], p_channel text
) RETURNS TABLE (status text, rev bigint, life uuid, metadata text, created_at timestamptz,
                 updated_at timestamptz, stored_ids text[], stored_bodies text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
  n bigint := cardinality(p_ids);
BEGIN
  LOOP
    SELECT * INTO t FROM ${S}.threads h WHERE h.namespace = p_namespace AND h.id_key = p_id_key FOR UPDATE;
    EXIT WHEN FOUND;
    IF p_expected IS NOT NULL AND p_expected <> 0 THEN
      RETURN QUERY SELECT 'check'::text, 0::bigint, NULL::uuid, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::text[], NULL::text[];
      RETURN;
    END IF;
    INSERT INTO ${S}.threads AS h (namespace, id_key, thread_id, rev, life, metadata, created_at, updated_at)
      VALUES (p_namespace, p_id_key, p_thread_id, 0, p_life, p_metadata, p_now, p_now)
      ON CONFLICT DO NOTHING
      RETURNING * INTO t;
    EXIT WHEN FOUND;
  END LOOP;
  IF p_expected IS NOT NULL AND p_expected <> t.rev THEN
    IF p_want_stored AND p_expected + n <= t.rev THEN
      RETURN QUERY SELECT 'check'::text, t.rev, t.life, t.metadata, t.created_at, t.updated_at,
        array_agg(e.id ORDER BY e.seq), array_agg(e.body ORDER BY e.seq)
        FROM ${S}.entries e WHERE e.thread_pk = t.pk AND e.seq >= p_expected AND e.seq < p_expected + n;
    ELSE
      RETURN QUERY SELECT 'check'::text, t.rev, t.life, t.metadata, t.created_at, t.updated_at, NULL::text[], NULL::text[];
    END IF;
    RETURN;
  END IF;
  INSERT INTO ${S}.entries (thread_pk, seq, id, body)
    SELECT t.pk, t.rev + x.o - 1, x.i, x.b FROM unnest(p_ids, p_bodies) WITH ORDINALITY AS x(i, b, o);
  UPDATE ${S}.threads h SET rev = t.rev + n, updated_at = p_now WHERE h.pk = t.pk;
  PERFORM pg_notify(p_channel, json_build_object(
    'type', 'thread-appended', 'namespace', p_namespace, 'threadId', t.thread_id, 'rev', t.rev + n)::text);
  RETURN QUERY SELECT 'ok'::text, t.rev + n, t.life, t.metadata, t.created_at, p_now, NULL::text[], NULL::text[];
END
$fn$;

-- Several appends in one statement (one transaction, one commit): append_entries for each, in
-- the given order. The caller orders them by (namespace, id_key) so that every transaction
-- locks heads in the same order (no deadlocks between batches); appends to one thread keep
-- their order. Entries of append i are p_ids/p_bodies[pos .. pos + p_counts[i] - 1].
CREATE FUNCTION ${S}.append_batch(
  p_namespaces text[], p_id_keys bytea[], p_thread_ids text[], p_expected bigint[], p_want_stored boolean[],
  p_metadata text[], p_nows timestamptz[], p_lives uuid[], p_counts integer[], p_ids text[], p_bodies text[],
  p_channels text[]
) RETURNS TABLE (idx integer, status text, rev bigint, life uuid, metadata text, created_at timestamptz,
                 updated_at timestamptz, stored_ids text[], stored_bodies text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  pos integer := 1;
BEGIN
  FOR i IN 1 .. cardinality(p_counts) LOOP
    RETURN QUERY SELECT i, a.* FROM ${S}.append_entries(
      p_namespaces[i], p_id_keys[i], p_thread_ids[i], p_expected[i], p_want_stored[i], p_metadata[i], p_nows[i],
      p_lives[i], p_ids[pos:pos + p_counts[i] - 1], p_bodies[pos:pos + p_counts[i] - 1], p_channels[i]) a;
    pos := pos + p_counts[i];
  END LOOP;
END
$fn$;

-- Deletes a thread and its entries after locking its head (so an append in flight finishes
-- first and its entries are deleted too), then notifies. True when the thread existed.
CREATE FUNCTION ${S}.delete_thread(p_namespace text, p_id_key bytea, p_channel text) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
  t ${S}.threads%ROWTYPE;
BEGIN
  SELECT * INTO t FROM ${S}.threads h WHERE h.namespace = p_namespace AND h.id_key = p_id_key FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM ${S}.entries e WHERE e.thread_pk = t.pk;
  DELETE FROM ${S}.threads h WHERE h.pk = t.pk;
  PERFORM pg_notify(p_channel, json_build_object(
    'type', 'thread-deleted', 'namespace', p_namespace, 'threadId', t.thread_id)::text);
  RETURN true;
END
$fn$;
`;
}
