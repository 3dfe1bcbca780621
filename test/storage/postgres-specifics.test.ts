import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidThreadPointer, MissingThread, RevisionConflict, TrimBeyondCheckpoint, ValidationError } from '../../src/domain/errors.js';
import { ageCutoff } from '../../src/domain/retention.js';
import { hibernate, thaw } from '../../src/persist.js';
import { openStorage } from '../../src/storage/open.js';
import { encodeEntry, sortKey } from '../../src/storage/postgres/codec.js';
import { createPostgresStorage, migrate, MIGRATIONS, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { AGE_WALK } from '../../src/storage/postgres/retention.js';
import type { ThreadPointer } from '../../src/domain/types.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { EventLog, rejection, rid } from 'cryo/storage/conformance';

/**
 * What is specific to the Postgres adapter: migrations, the schema option, two instances on one
 * database, and the two contract additions (thread life, checkpoint replay) until the shared
 * conformance suite covers them.
 */

let db: TestDatabase;
let admin: pg.Client;
const opened: PostgresStorage[] = [];
const open = async (options: { schema?: string; timeoutMs?: number } = {}): Promise<PostgresStorage> => {
  const storage = await createPostgresStorage({ url: db.url, ...options });
  opened.push(storage);
  return storage;
};

beforeAll(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  admin.on('error', () => {});
  await admin.connect();
});

afterAll(async () => {
  for (const storage of opened) await storage.close();
  await admin?.end();
  await db?.drop();
});

describe('postgres migrations', () => {
  it('several instances starting at once on a fresh database apply each migration exactly once', async () => {
    const schema = `m_${rid('x').slice(2)}`;
    const storages = await Promise.all(Array.from({ length: 6 }, () => open({ schema })));
    const { rows } = await admin.query(`SELECT version, name FROM "${schema}".migrations ORDER BY version`);
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    // All of them work on the one schema.
    const results = await Promise.all(storages.map((s, i) => s.appendEntries({ threadId: 't', entries: [{ id: `e${i}` }] })));
    expect(results.map((r) => r.entries[0]!.seq).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // Opening again applies nothing.
    await open({ schema });
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".migrations`)).rows[0].n).toBe(MIGRATIONS.length);
  });

  it('keeps deployments apart by schema (tables and notifications), also when named in the URL', async () => {
    const a = await open({ schema: 'team_a' });
    const b = (await openStorage(`${db.url}?schema=team_b`)) as PostgresStorage;
    opened.push(b);
    const threadId = rid('t');
    const heard = new EventLog();
    const stop = await b.changes.subscribeThread('default', threadId, heard.listener);
    await a.appendEntries({ threadId, entries: [{ id: 'in-a' }] });
    await b.appendEntries({ threadId, entries: [{ id: 'in-b1' }, { id: 'in-b2' }] });
    await heard.waitFor((e) => e.type === 'thread-appended');
    expect(heard.events).toEqual([{ type: 'thread-appended', namespace: 'default', threadId, rev: 2 }]);
    expect((await a.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['in-a']);
    expect((await b.getThread({ threadId }))?.rev).toBe(2);
    expect((await admin.query(`SELECT count(*)::int AS n FROM team_b.threads`)).rows[0].n).toBeGreaterThan(0);
    await stop();
  });

  it('migration 3 upgrades a v2 schema in place: threads keep their entries (firstSeq 0, no policy), existing pointers hold back trims', async () => {
    const schema = `v2_${rid('x').slice(2)}`;
    const S = `"${schema}"`;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect(await migrate(client, schema, MIGRATIONS.filter((m) => m.version <= 2))).toEqual([1, 2]);
      // Written the way a v2 build did: its append_batch function, and a checkpoint row pointing at rev 2.
      const entries = ['e0', 'e1', 'e2'].map((id) => encodeEntry({ id, at: '2001-01-01T00:00:00.000Z', kind: 'note', payload: {}, refs: {} }));
      await client.query(`SELECT * FROM ${S}.append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        ['default'], [sortKey('old')], ['old'], [null], [true], ['{"from":"v2"}'], [new Date()], [randomUUID()], [3],
        ['e0', 'e1', 'e2'], entries, ['cryo_t_x'],
      ]);
      await client.query(
        `INSERT INTO ${S}.checkpoints (namespace, type_key, agent_key, agent_type, agent_id, rev, version, state, thread_id, thread_rev, thread_life, created_at, updated_at)
         SELECT 'default', $1, $2, 'a', 'b', 1, 1, '{}', 'old', 2, life, now(), now() FROM ${S}.threads WHERE thread_id = 'old'`,
        [sortKey('a'), sortKey('b')],
      );
    } finally {
      await client.end();
    }
    const s = await open({ schema });
    const { rows } = await admin.query(`SELECT version FROM ${S}.migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await s.getThread({ threadId: 'old' })).toMatchObject({ rev: 3, firstSeq: 0, retention: null, metadata: { from: 'v2' } });
    expect((await s.readEntries({ threadId: 'old', fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    // The reverse index covers checkpoints written before it existed.
    await rejection(s.trimThread({ threadId: 'old', beforeSeq: 3 }), TrimBeyondCheckpoint, { agentId: 'b', pointerRev: 2 });
    expect(await s.trimThread({ threadId: 'old', beforeSeq: 2 })).toMatchObject({ dropped: 2, thread: { rev: 3, firstSeq: 2 } });
    const next = await s.appendEntries({ threadId: 'old', entries: [{ id: 'e3' }], expectedRev: 3 });
    expect(next.entries[0]!.seq).toBe(3);
    expect(await s.setThreadRetention({ threadId: 'old', retention: { maxAgeSeconds: 60 } })).toMatchObject({ firstSeq: 2 });
    expect((await s.readEntries({ threadId: 'old', fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['e2', 'e3']);
    // The v2 write functions are gone (replaced, not overloaded).
    const functions = await admin.query(
      `SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname IN ('append_batch', 'append_entries')`,
      [schema],
    );
    expect(functions.rows[0].n).toBe(2);
  });

  it('refuses a bad schema name before connecting', async () => {
    await rejection(createPostgresStorage({ url: db.url, schema: 'Robert"); DROP TABLE x; --' }), ValidationError, { field: 'schema' });
  });
});

describe('postgres: two instances on one database', () => {
  it('racing checkpoint CAS from two instances has exactly one winner', async () => {
    const [a, b] = [await open(), await open()];
    const key = { agentType: 'race', agentId: rid('a') };
    await a.putCheckpoint({ ...key, state: { n: 0 } });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).putCheckpoint({ ...key, state: { n: i }, expectedRev: 1 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ constructor: RevisionConflict, actualRev: 2 });
    // Creation races too: expectedRev 0 from both.
    const fresh = { agentType: 'race', agentId: rid('a') };
    const created = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).putCheckpoint({ ...fresh, state: { i }, expectedRev: 0 })),
    );
    expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('racing appends with one expectedRev from two instances: one wins; without expectedRev all land contiguously', async () => {
    const [a, b] = [await open(), await open()];
    const threadId = rid('t');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).appendEntries({ threadId, entries: [{ id: `r${i}` }], expectedRev: 0 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).appendEntries({ threadId, entries: [{}, {}] })));
    const stored = await a.readEntries({ threadId, fromSeq: 0, limit: 100 });
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i));
  });

  it('racing lone appends with one expectedRev to an existing thread from four instances: one wins per round, the rest conflict', async () => {
    // Each instance sends its append alone (appendOneStatement): the losers wait for the winner's
    // head lock and must re-check the rev on the row it committed.
    const instances = [await open(), await open(), await open(), await open()];
    const threadId = rid('t');
    await instances[0]!.appendEntries({ threadId, entries: [{ id: 'first' }] });
    const winners: string[] = ['first'];
    for (let round = 1; round <= 10; round++) {
      const results = await Promise.allSettled(
        instances.map((s, i) => s.appendEntries({ threadId, entries: [{ id: `r${round}-${i}` }], expectedRev: round })),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(won).toHaveLength(1);
      expect(won[0]!.thread.rev).toBe(round + 1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionConflict);
      winners.push(won[0]!.entries[0]!.id);
      // The winner's retry (same expectedRev and ids) is recognised and writes nothing.
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const retry = await instances[winner]!.appendEntries({ threadId, entries: [{ id: winners.at(-1)! }], expectedRev: round });
      expect(retry.replayed).toBe(true);
    }
    const stored = await instances[1]!.readEntries({ threadId, fromSeq: 0, limit: 100 });
    expect(stored.map((e) => e.id)).toEqual(winners);
    expect(stored.map((e) => e.seq)).toEqual(winners.map((_, i) => i));
  });

  it('an append or a checkpoint save on one instance reaches a listener on the other', async () => {
    const [a, b] = [await open(), await open()];
    const namespace = rid('ns');
    const threadId = rid('t');
    const log = new EventLog();
    const stopThread = await b.changes.subscribeThread(namespace, threadId, log.listener);
    const stopCheckpoints = await b.changes.subscribeCheckpoints(namespace, log.listener);
    await a.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
    expect(await log.waitFor((e) => e.type === 'thread-appended')).toEqual({ type: 'thread-appended', namespace, threadId, rev: 3 });
    await a.putCheckpoint({ namespace, agentType: 'p', agentId: 'q', state: {} });
    expect(await log.waitFor((e) => e.type === 'checkpoint-saved')).toEqual({
      type: 'checkpoint-saved', namespace, agentType: 'p', agentId: 'q', rev: 1,
    });
    await a.deleteCheckpoint({ namespace, agentType: 'p', agentId: 'q' });
    await log.waitFor((e) => e.type === 'checkpoint-deleted');
    await a.deleteThread({ namespace, threadId });
    await log.waitFor((e) => e.type === 'thread-deleted');
    await stopThread();
    await stopCheckpoints();
    expect(b.changes.channelCount).toBe(0);
  });
});

describe('postgres: thread life', () => {
  it('is assigned at creation, kept across appends, new after delete and re-creation', async () => {
    const s = await open();
    const threadId = rid('t');
    const first = await s.appendEntries({ threadId, entries: [{}] });
    const life = first.thread.life;
    expect(life).toMatch(/^[0-9a-f-]{36}$/);
    expect((await s.appendEntries({ threadId, entries: [{}] })).thread.life).toBe(life);
    expect((await s.getThread({ threadId }))?.life).toBe(life);
    expect((await s.readTail({ threadId, limit: 1 })).thread?.life).toBe(life);
    expect((await s.listThreads({ after: threadId.slice(0, -1) })).items.find((t) => t.id === threadId)?.life).toBe(life);
    await s.deleteThread({ threadId });
    const again = await s.appendEntries({ threadId, entries: [{}], expectedRev: 0 });
    expect(again.thread.life).not.toBe(life);
  });

  it('putCheckpoint stores the life, checks a given one, and thaw reports MissingThread for another life', async () => {
    const s = await open();
    const threadId = rid('t');
    const key = { agentType: 'p', agentId: rid('a') };
    const { thread } = await s.appendEntries({ threadId, entries: [{}, {}] });
    const saved = await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 2 } });
    expect(saved.thread).toEqual({ id: threadId, rev: 2, life: thread.life });
    expect((await s.getCheckpoint(key))?.thread).toEqual({ id: threadId, rev: 2, life: thread.life });
    const withLife: ThreadPointer = { id: threadId, rev: 1, life: thread.life };
    expect((await s.putCheckpoint({ ...key, state: {}, thread: withLife })).thread).toEqual(withLife);
    const otherLife: ThreadPointer = { id: threadId, rev: 1, life: '00000000-0000-4000-8000-000000000000' };
    const badLife: ThreadPointer = { id: threadId, rev: 1, life: '' };
    await rejection(
      s.putCheckpoint({ ...key, state: {}, thread: otherLife }),
      InvalidThreadPointer,
      { threadId, pointerRev: 1 },
    );
    await rejection(s.putCheckpoint({ ...key, state: {}, thread: badLife }), ValidationError, { field: 'thread.life' });
    expect((await s.getCheckpoint(key))?.rev).toBe(2);

    // Deleted and re-created longer: same id and a rev ≥ the pointer, but another life.
    await s.deleteThread({ threadId });
    await s.appendEntries({ threadId, entries: [{}, {}, {}] });
    await rejection(thaw(s, { ...key, allowJournalAhead: true }), MissingThread, { threadId, pointerRev: 1 });
  });

  it('a stored pointer without a life (older data) matches any life', async () => {
    const s = await open();
    const threadId = rid('t');
    const key = { agentType: 'p', agentId: rid('a') };
    await s.appendEntries({ threadId, entries: [{}] });
    await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1 } });
    await admin.query(`UPDATE cryo.checkpoints SET thread_life = NULL WHERE agent_id = $1`, [key.agentId]);
    expect((await s.getCheckpoint(key))?.thread).toEqual({ id: threadId, rev: 1 });
    await s.deleteThread({ threadId });
    await s.appendEntries({ threadId, entries: [{}] });
    expect((await thaw(s, key)).thread?.rev).toBe(1);
  });
});

describe('postgres: checkpoint replay', () => {
  it('a put with expectedRev n over rev n+1 with the same state, version and pointer succeeds and writes nothing', async () => {
    const s = await open();
    const namespace = rid('ns');
    const threadId = rid('t');
    await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
    const key = { namespace, agentType: 'p', agentId: 'a' };
    const put = { ...key, state: { b: [1, { c: 2 }], a: 'x' }, version: 3, thread: { id: threadId, rev: 2 }, expectedRev: 0 };
    const first = await s.putCheckpoint(put);
    const log = new EventLog();
    const stop = await s.changes.subscribeCheckpoints(namespace, log.listener);
    // Same state with another key order, same version and pointer: a replay.
    const replay = await s.putCheckpoint({ ...put, state: { a: 'x', b: [1, { c: 2 }] } });
    expect(replay).toEqual(first);
    expect(await s.getCheckpoint(key)).toEqual(first);
    // Anything different is a conflict.
    for (const other of [{ state: { a: 'y' } }, { version: 4 }, { thread: { id: threadId, rev: 1 } }, { thread: null }]) {
      await rejection(s.putCheckpoint({ ...put, ...other }), RevisionConflict, { expectedRev: 0, actualRev: 1 });
    }
    // A real write afterwards is the only event.
    await s.putCheckpoint({ ...key, state: {}, expectedRev: 1 });
    expect(await log.waitFor((e) => e.type === 'checkpoint-saved')).toMatchObject({ rev: 2 });
    expect(log.events).toHaveLength(1);
    await stop();
  });

  it('a hibernate retried after its reply was lost succeeds without a second write', async () => {
    const s = await open();
    const threadId = rid('t');
    const key = { agentType: 'p', agentId: rid('a') };
    const input = { ...key, state: { step: 1 }, expectedRev: 0, thread: { id: threadId, rev: 2, entries: [{ id: 'a' }, { id: 'b' }] } };
    const first = await hibernate(s, input);
    const again = await hibernate(s, input);
    expect(again.checkpoint).toEqual(first.checkpoint);
    expect((await s.getThread({ threadId }))?.rev).toBe(2);
  });
});

describe('postgres: retention', () => {
  it('two instances never sweep at once: while one sweeps, the other (and a second call on the first) returns skipped', async () => {
    const schema = `sw_${rid('x').slice(2)}`;
    const a = await open({ schema, timeoutMs: 30_000 });
    const b = await open({ schema });
    const threadId = rid('t');
    const old = '2001-01-01T00:00:00.000Z';
    await a.appendEntries({ threadId, entries: [{ at: old }, { at: old }, {}], retention: { maxAgeSeconds: 60 } });
    // Someone holds the thread's head: a's sweep, once it reaches the thread, waits inside its lease.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${schema}.threads WHERE thread_id = $1 FOR UPDATE`, [threadId]);
      const first = a.sweepRetention();
      await eventually(async () => {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%apply_retention%'`,
        );
        expect(rows[0].n).toBe(1);
      });
      expect(await b.sweepRetention()).toEqual({ skipped: true, trimmedThreads: 0, dropped: 0 });
      expect(await a.sweepRetention()).toEqual({ skipped: true, trimmedThreads: 0, dropped: 0 });
      expect(await b.getThread({ threadId })).toMatchObject({ firstSeq: 0 });
      await holder.query('ROLLBACK');
      expect(await first).toEqual({ skipped: false, trimmedThreads: 1, dropped: 2 });
    } finally {
      await holder.end();
    }
    expect(await b.getThread({ threadId })).toMatchObject({ rev: 3, firstSeq: 2 });
    // The lease is free again, for either instance.
    expect(await b.sweepRetention()).toEqual({ skipped: false, trimmedThreads: 0, dropped: 0 });
  });

  it('the sweep pages through more threads than one page holds, in every namespace', async () => {
    const schema = `sp_${rid('x').slice(2)}`;
    const s = await open({ schema });
    // 601 threads with an age policy and two expired entries each, written directly.
    await admin.query(`
      INSERT INTO ${schema}.threads (namespace, id_key, thread_id, rev, life, metadata, created_at, updated_at, max_age_seconds)
        SELECT 'ns' || (g % 3), decode(md5(g::text), 'hex'), 't' || g, 3, gen_random_uuid(), '{}', now(), now(), 60
        FROM generate_series(1, 601) g;
      INSERT INTO ${schema}.entries (thread_pk, seq, id, body)
        SELECT t.pk, s, 'e' || s, json_build_object('id', 'e' || s, 'at', CASE WHEN s < 2 THEN '2001-01-01T00:00:00.000Z' ELSE '2999-01-01T00:00:00.000Z' END)::text
        FROM ${schema}.threads t, generate_series(0, 2) s;`);
    expect(await s.sweepRetention()).toEqual({ skipped: false, trimmedThreads: 601, dropped: 1202 });
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.entries`);
    expect(rows[0].n).toBe(601);
    expect(await s.sweepRetention()).toEqual({ skipped: false, trimmedThreads: 0, dropped: 0 });
  });

  it('trimmed rows are deleted: after a vacuum (what autovacuum does) their space takes new appends without the table growing', async () => {
    const schema = `sv_${rid('x').slice(2)}`;
    const s = await open({ schema });
    const payload = { text: 'x'.repeat(1000) };
    const size = async (): Promise<number> =>
      Number((await admin.query(`SELECT pg_relation_size('${schema}.entries') AS n`)).rows[0].n);
    const write = async (threadId: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i += 100) await s.appendEntries({ threadId, entries: Array.from({ length: 100 }, () => ({ payload })) });
    };
    await write('big', 2000);
    const full = await size();
    expect(full).toBeGreaterThan(2000 * 1000);
    expect(await s.trimThread({ threadId: 'big', beforeSeq: 1800 })).toMatchObject({ dropped: 1800 });
    const dead = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.entries`);
    expect(dead.rows[0].n).toBe(200);
    await admin.query(`VACUUM ${schema}.entries`);
    await write('other', 1800);
    expect(await size()).toBeLessThan(full * 1.1);
  });

  it('maxEntries ≥ 256 deletes rows by blocks of 64 seqs: at most 63 trimmed rows wait, none is readable, a trim deletes them all', async () => {
    const s = await open();
    const threadId = rid('t');
    const stored = async (): Promise<{ n: number; low: number }> => {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n, min(e.seq)::int AS low FROM cryo.entries e JOIN cryo.threads t ON t.pk = e.thread_pk WHERE t.thread_id = $1`,
        [threadId],
      );
      return rows[0];
    };
    await s.appendEntries({ threadId, entries: Array.from({ length: 300 }, () => ({})), retention: { maxEntries: 256 } });
    let waiting = 0;
    for (let rev = 301; rev <= 430; rev++) {
      const { thread } = await s.appendEntries({ threadId, entries: [{}] });
      expect(thread).toMatchObject({ rev, firstSeq: rev - 256 });
      const { n, low } = await stored();
      expect(low).toBe(thread.firstSeq - (thread.firstSeq % 64));
      expect(n - 256).toBe(thread.firstSeq % 64);
      waiting = Math.max(waiting, n - 256);
      expect((await s.readEntries({ threadId, fromSeq: 0, limit: 1 }))[0]!.seq).toBe(thread.firstSeq);
    }
    expect(waiting).toBe(63);
    // rev 430, firstSeq 174: rows from 128 still stored. A trim deletes every row below it.
    await s.setThreadRetention({ threadId, retention: { maxEntries: 300 } });
    expect(await stored()).toEqual({ n: 430 - 128, low: 128 });
    expect(await s.trimThread({ threadId, beforeSeq: 175 })).toMatchObject({ dropped: 1, thread: { firstSeq: 175 } });
    expect(await stored()).toEqual({ n: 430 - 175, low: 175 });
    const { thread } = await s.appendEntries({ threadId, entries: Array.from({ length: 64 }, () => ({})) });
    expect(thread).toMatchObject({ rev: 494, firstSeq: 194 });
    expect(await stored()).toEqual({ n: 494 - 192, low: 192 });
    // A policy below 256 deletes at once, including the rows a block left behind.
    expect(await s.setThreadRetention({ threadId, retention: { maxEntries: 10 } })).toMatchObject({ firstSeq: 484 });
    expect(await stored()).toEqual({ n: 10, low: 484 });
    await s.appendEntries({ threadId, entries: [{}] });
    expect(await stored()).toEqual({ n: 10, low: 485 });
  });

  it('an expired prefix longer than one walk is dropped in several short transactions, by setThreadRetention and by the sweep', async () => {
    const schema = `sa_${rid('x').slice(2)}`;
    const s = await open({ schema });
    const n = AGE_WALK * 2 + 5000;
    // Two threads of n + 5 entries, the first n expired, written directly; 'swept' already has its policy.
    await admin.query(`
      INSERT INTO ${schema}.threads (namespace, id_key, thread_id, rev, life, metadata, created_at, updated_at, max_age_seconds)
        VALUES ('default', $1, 'set', ${n + 5}, gen_random_uuid(), '{}', now(), now(), NULL),
               ('default', $2, 'swept', ${n + 5}, gen_random_uuid(), '{}', now(), now(), 60);`,
      [sortKey('set'), sortKey('swept')],
    );
    await admin.query(`
      INSERT INTO ${schema}.entries (thread_pk, seq, id, body)
        SELECT t.pk, g, 'e' || g, json_build_object('id', 'e' || g, 'at', CASE WHEN g < ${n} THEN '2001-01-01T00:00:00.000Z' ELSE '2999-01-01T00:00:00.000Z' END)::text
        FROM ${schema}.threads t, generate_series(0, ${n + 4}) g;`);
    const log = new EventLog();
    const stop = await s.changes.subscribeThread('default', 'set', log.listener);
    expect(await s.setThreadRetention({ threadId: 'set', retention: { maxAgeSeconds: 60 } })).toMatchObject({ rev: n + 5, firstSeq: n });
    await log.waitFor((e) => e.type === 'thread-trimmed' && e.firstSeq === n);
    expect(log.events.map((e) => (e.type === 'thread-trimmed' ? e.firstSeq : null))).toEqual([AGE_WALK, AGE_WALK * 2, n]);
    await stop();
    expect(await s.sweepRetention()).toEqual({ skipped: false, trimmedThreads: 1, dropped: n });
    expect(await s.getThread({ threadId: 'swept' })).toMatchObject({ firstSeq: n });
    expect((await s.readEntries({ threadId: 'swept', fromSeq: 0, limit: 1 }))[0]).toMatchObject({ seq: n, id: `e${n}` });
  });

  it('the age cutoff in SQL is the one src/domain/retention.ts computes (entry times compare as text)', async () => {
    const s = await open();
    expect(s.kind).toBe('postgres');
    const cases: [string, number][] = [
      ['2026-11-30T14:05:06.789Z', 3600],
      ['2026-03-01T00:00:00.000Z', 1],
      ['2024-02-29T23:59:59.999Z', 2_147_483_647],
      ['0001-01-01T00:00:10.000Z', 60],
    ];
    for (const [at, seconds] of cases) {
      const now = new Date(at);
      const { rows } = await admin.query(`SELECT cryo.age_cutoff($1, $2) AS cutoff`, [now, seconds]);
      expect(rows[0].cutoff, `${at} - ${seconds} s`).toBe(ageCutoff({ maxEntries: null, maxAgeSeconds: seconds }, now));
    }
  });

  it('a trim on one instance reaches a listener on the other; trims and checkpoint puts from two instances never leave a pointer below firstSeq', async () => {
    const [a, b] = [await open(), await open()];
    const namespace = rid('ns');
    const threadId = rid('t');
    await a.appendEntries({ namespace, threadId, entries: Array.from({ length: 40 }, () => ({})) });
    const log = new EventLog();
    const stop = await b.changes.subscribeThread(namespace, threadId, log.listener);
    await a.trimThread({ namespace, threadId, beforeSeq: 1 });
    expect(await log.waitFor((e) => e.type === 'thread-trimmed')).toEqual({ type: 'thread-trimmed', namespace, threadId, firstSeq: 1 });
    await stop();
    const key = { namespace, agentType: 'race', agentId: rid('a') };
    for (let round = 0; round < 12; round++) {
      const rev = 2 + round * 3;
      const [put, trim] = await Promise.allSettled([
        (round % 2 ? a : b).putCheckpoint({ ...key, state: { round }, thread: { id: threadId, rev } }),
        (round % 2 ? b : a).trimThread({ namespace, threadId, beforeSeq: rev + 1 }),
      ]);
      if (put.status === 'rejected') expect(put.reason).toBeInstanceOf(InvalidThreadPointer);
      if (trim.status === 'rejected') expect(trim.reason).toBeInstanceOf(TrimBeyondCheckpoint);
      expect(put.status === 'fulfilled' && trim.status === 'fulfilled').toBe(false);
      const checkpoint = await a.getCheckpoint(key);
      const head = await b.getThread({ namespace, threadId });
      if (checkpoint?.thread) expect(checkpoint.thread.rev).toBeGreaterThanOrEqual(head!.firstSeq);
      if (put.status === 'rejected') await a.putCheckpoint({ ...key, state: {}, thread: null });
    }
  });
});
