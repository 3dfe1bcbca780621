import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidThreadPointer, MissingThread, RevisionConflict, ValidationError } from '../../src/domain/errors.js';
import { hibernate, thaw } from '../../src/persist.js';
import { openStorage } from '../../src/storage/open.js';
import { createPostgresStorage, MIGRATIONS, type PostgresStorage } from '../../src/storage/postgres/index.js';
import type { ThreadPointer } from '../../src/domain/types.js';
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
const open = async (options: { schema?: string } = {}): Promise<PostgresStorage> => {
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
