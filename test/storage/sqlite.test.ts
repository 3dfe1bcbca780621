import { copyFile, open as openFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidThreadPointer,
  RevisionConflict,
  StorageCorrupted,
  StorageUnavailable,
  TrimBeyondCheckpoint,
} from '../../src/domain/errors.js';
import { openStorage } from '../../src/storage/open.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { describeStorageConformance, rejection, rid } from 'cryo/storage/conformance';
import { SQLITE_CHILD, startChild, tempDir } from './file-helpers.js';
import { freshSqlite } from './sqlite-helpers.js';

describeStorageConformance('sqlite', async ({ limits }) => {
  const dir = await tempDir('cryo-sqlite-');
  return { storage: await createSqliteStorage({ path: join(dir.path, 'cryo.db'), limits }), cleanup: dir.remove };
});

/** A store written by the adapter at schema 1 (before retention; see the test that opens it). */
const SCHEMA_1_FIXTURE = join(import.meta.dirname, 'fixtures', 'sqlite-schema-1.db');
/** A schema-2 store written by the adapter of commit 2f5f316 (WITHOUT ROWID entries; see the test that opens it). */
const SCHEMA_2_WITHOUT_ROWID_FIXTURE = join(import.meta.dirname, 'fixtures', 'sqlite-schema-2-without-rowid.db');

describe('sqlite adapter', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps everything written across close and reopen', async () => {
    const { open } = await freshSqlite(cleanups);
    const a = await open();
    const threads = [rid('t'), rid('t'), rid('t')];
    const ids = new Map<string, string[]>();
    for (const [i, threadId] of threads.entries()) {
      for (let n = 0; n < 5 + i; n++) {
        const entries = [{ id: rid('e'), payload: { n } }, { id: rid('e'), kind: 'k.two', refs: { r: n } }];
        await a.appendEntries({ threadId, entries, metadata: { i } });
        ids.set(threadId, [...(ids.get(threadId) ?? []), ...entries.map((e) => e.id)]);
      }
    }
    await a.putCheckpoint({ agentType: 'bot', agentId: 'one', state: { deep: { x: [1, 2] } }, thread: { id: threads[0]!, rev: 3 } });
    await a.putCheckpoint({ agentType: 'bot', agentId: 'one', state: { v: 2 }, expectedRev: 1 });
    await a.putCheckpoint({ agentType: 'bot', agentId: 'two', state: {} });
    await a.deleteCheckpoint({ agentType: 'bot', agentId: 'two' });
    await a.deleteThread({ threadId: threads[2]! });
    const before = await a.readTail({ threadId: threads[1]!, limit: 3 });
    const heads = await a.listThreads({});
    await a.close();
    await a.close();
    await rejection(a.getThread({ threadId: threads[0]! }), StorageUnavailable);

    const b = await open();
    for (const threadId of threads.slice(0, 2)) {
      const entries = await b.readEntries({ threadId, fromSeq: 0, limit: 1000 });
      expect((await b.getThread({ threadId }))!.rev).toBe(entries.length);
      expect(entries.map((e) => e.id)).toEqual(ids.get(threadId));
    }
    expect(await b.getThread({ threadId: threads[2]! })).toBeNull();
    expect(await b.readTail({ threadId: threads[1]!, limit: 3 })).toEqual(before);
    expect(await b.listThreads({})).toEqual(heads);
    expect((await b.listCheckpoints({})).items.map((c) => [c.agentId, c.rev, c.state])).toEqual([['one', 2, { v: 2 }]]);
  });

  it('lists ids in UTF-16 code unit order (a supplementary character sorts before U+FFFD)', async () => {
    const { open } = await freshSqlite(cleanups);
    const s = await open();
    const ids = ['\uFFFD', '😀', 'a', 'Z', 'é', '\uE000'];
    for (const id of ids) {
      await s.appendEntries({ threadId: id, entries: [{}] });
      await s.putCheckpoint({ agentType: id, agentId: id, state: {} });
    }
    const sorted = [...ids].sort();
    expect((await s.listThreads({})).items.map((t) => t.id)).toEqual(sorted);
    expect((await s.listCheckpoints({})).items.map((c) => c.agentType)).toEqual(sorted);
    expect((await s.listThreads({ after: '😀' })).items.map((t) => t.id)).toEqual(sorted.slice(sorted.indexOf('😀') + 1));
  });

  it('shares commits between concurrent appends (group commit) and fails one append of a round alone', async () => {
    const { open } = await freshSqlite(cleanups);
    const s = await open();
    const threads = Array.from({ length: 32 }, () => rid('g'));
    await Promise.all(threads.map((threadId) => s.appendEntries({ threadId, entries: [{ id: 'first' }] })));
    const before = await s.stats();
    const results = await Promise.allSettled(
      threads.map((threadId, i) => s.appendEntries({ threadId, entries: [{ id: 'second' }], expectedRev: i === 7 ? 5 : 1 })),
    );
    const after = await s.stats();
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[7] as PromiseRejectedResult).reason).toBeInstanceOf(RevisionConflict);
    expect(after.writes - before.writes).toBe(32);
    expect(after.commits - before.commits).toBeLessThan(32);
    for (const [i, threadId] of threads.entries()) expect((await s.getThread({ threadId }))!.rev).toBe(i === 7 ? 1 : 2);
  });

  it('gives a thread a life at creation, keeps it, and gives a re-created thread a new one', async () => {
    const { open } = await freshSqlite(cleanups);
    const s = await open();
    const threadId = rid('l');
    const first = await s.appendEntries({ threadId, entries: [{}] });
    const life = (first.thread as { life?: string }).life!;
    expect(life).toMatch(/^[0-9a-f-]{36}$/);
    await s.appendEntries({ threadId, entries: [{}] });
    expect((await s.getThread({ threadId }))!.life).toBe(life);
    const key = { agentType: 'bot', agentId: rid('a') };
    await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 2, life } as never });
    await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1, life: 'another' } as never }), InvalidThreadPointer);
    await s.deleteThread({ threadId });
    await s.appendEntries({ threadId, entries: [{}, {}] });
    const reborn = (await s.getThread({ threadId }))!.life;
    expect(reborn).not.toBe(life);
    await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1, life } as never }), InvalidThreadPointer);
    expect((await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1 } })).rev).toBe(2);
  });

  it('treats a put repeating the last one (expectedRev one behind, same state, version, pointer) as a replay', async () => {
    const { open } = await freshSqlite(cleanups);
    const s = await open();
    const threadId = rid('r');
    await s.appendEntries({ threadId, entries: [{}] });
    const key = { agentType: 'bot', agentId: rid('a') };
    const put = { ...key, state: { a: 1, b: [1, { c: 2 }] }, thread: { id: threadId, rev: 1 }, expectedRev: 0 };
    const saved = await s.putCheckpoint(put);
    const events: unknown[] = [];
    await s.changes.subscribeCheckpoints('default', (e) => events.push(e));
    expect(await s.putCheckpoint({ ...put, state: { b: [1, { c: 2 }], a: 1 } })).toEqual(saved);
    expect(events).toEqual([]);
    await rejection(s.putCheckpoint({ ...put, state: { a: 2 } }), RevisionConflict);
    await rejection(s.putCheckpoint({ ...put, version: 2 }), RevisionConflict);
    await rejection(s.putCheckpoint({ ...put, thread: null }), RevisionConflict);
    expect((await s.getCheckpoint(key))!.rev).toBe(1);
  });

  it('refuses a second open in this process and in another process, and opens once the holder is gone', async () => {
    const { path, open } = await freshSqlite(cleanups);
    const a = await open();
    const again = await rejection(createSqliteStorage({ path }), StorageUnavailable);
    expect(again.message).toContain('already open in this process');

    const child = startChild(['open', path], {}, SQLITE_CHILD);
    await child.until((lines) => lines.length >= 1);
    expect(child.lines[0]).toMatch(/^error STORAGE_UNAVAILABLE .*in use by another process/);
    expect((await child.exited).code).toBe(3);
    await a.close();

    const holder = startChild(['open', path], {}, SQLITE_CHILD);
    await holder.until((lines) => lines.length >= 1);
    expect(holder.lines[0]).toBe('opened');
    await rejection(createSqliteStorage({ path }), StorageUnavailable);
    holder.process.kill('SIGKILL');
    await holder.exited;
    const b = await open();
    await b.appendEntries({ threadId: 'after-kill', entries: [{}] });
  });

  it('reports a damaged database as StorageCorrupted, never as empty', async () => {
    const { path, open } = await freshSqlite(cleanups);
    const a = await open();
    for (let i = 0; i < 50; i++) await a.appendEntries({ threadId: `t${i}`, entries: [{ payload: { text: 'x'.repeat(200) } }] });
    await a.close();
    const handle = await openFile(path, 'r+');
    try {
      await handle.write(Buffer.from('definitely not sqlite'), 0, 16, 0);
    } finally {
      await handle.close();
    }
    const error = await rejection(createSqliteStorage({ path }), StorageCorrupted);
    expect(error.message).toContain(path);
  });

  it('reports an entry whose bytes changed on disk as StorageCorrupted (checksum), the rest stays readable', async () => {
    const { path, open } = await freshSqlite(cleanups);
    const a = await open();
    await a.appendEntries({ threadId: 'bad', entries: [{ payload: { marker: 'AAAAAAAAAAAAAAAAAAAA' } }] });
    await a.appendEntries({ threadId: 'good', entries: [{ payload: { fine: true } }] });
    await a.close();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    const at = bytes.indexOf('AAAAAAAAAAAAAAAAAAAA');
    expect(at).toBeGreaterThan(0);
    bytes.write('AAAAAAAAAAAAAAAAAAAB', at);
    await writeFile(path, bytes);
    const b = await open();
    const error = await rejection(b.readEntries({ threadId: 'bad', fromSeq: 0, limit: 10 }), StorageCorrupted);
    expect(error.message).toContain('checksum');
    expect((await b.readEntries({ threadId: 'good', fromSeq: 0, limit: 10 }))[0]!.payload).toEqual({ fine: true });
  });

  it('refuses an SQLite file that is not a Cryo store, leaving it untouched', async () => {
    const { path } = await freshSqlite(cleanups);
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(path);
    other.exec('CREATE TABLE mine (x)');
    other.close();
    const error = await rejection(createSqliteStorage({ path }), StorageUnavailable);
    expect(error.message).toContain('not a Cryo store');
  });

  it('opens through a sqlite: storage URL', async () => {
    const dir = await tempDir('cryo-sqlite-');
    cleanups.push(dir.remove);
    const storage = await openStorage(`sqlite:${join(dir.path, 'sub', 'cryo.db')}`);
    try {
      expect(storage.kind).toBe('sqlite');
      await storage.appendEntries({ threadId: 'u', entries: [{}] });
    } finally {
      await storage.close();
    }
  });

  it('migrates a schema-1 store at open: firstSeq 0, no policy, everything readable, its pointers hold entries back', async () => {
    // The fixture was written by the adapter of commit 9dcb15c (schema 1): thread "old" (e0..e9,
    // metadata {made: "schema 1"}), thread "other" (x0, x1), checkpoint bot/holder → old@4, bot/plain.
    const { path, open } = await freshSqlite(cleanups);
    await copyFile(SCHEMA_1_FIXTURE, path);
    const s = await open();
    expect(await s.getThread({ threadId: 'old' })).toMatchObject({ rev: 10, firstSeq: 0, retention: null, metadata: { made: 'schema 1' } });
    expect((await s.listThreads({})).items.map((t) => [t.id, t.rev, t.firstSeq, t.retention])).toEqual([
      ['old', 10, 0, null],
      ['other', 2, 0, null],
    ]);
    expect((await s.readEntries({ threadId: 'old', fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `e${i}`),
    );
    expect((await s.getCheckpoint({ agentType: 'bot', agentId: 'holder' }))!.thread).toMatchObject({ id: 'old', rev: 4 });
    await rejection(s.trimThread({ threadId: 'old', beforeSeq: 5 }), TrimBeyondCheckpoint, { agentId: 'holder', pointerRev: 4 });
    expect((await s.trimThread({ threadId: 'old', beforeSeq: 4 })).dropped).toBe(4);
    expect(await s.setThreadRetention({ threadId: 'other', retention: { maxEntries: 1 } })).toMatchObject({ rev: 2, firstSeq: 1 });
    expect((await s.stats()).incrementalVacuum).toBe(false);
    // The schema-1 file keeps its WITHOUT ROWID entries table, and appends and reads go on in it.
    expect((await s.stats()).entriesLayout).toBe('without-rowid');
    await s.appendEntries({ threadId: 'old', entries: [{ id: 'e10', payload: { pad: 'y'.repeat(1500) } }], expectedRev: 10 });
    expect((await s.readTail({ threadId: 'old', limit: 2 })).entries.map((e) => [e.seq, e.id])).toEqual([[9, 'e9'], [10, 'e10']]);
    await s.close();

    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    const again = await open();
    expect(await again.getThread({ threadId: 'old' })).toMatchObject({ rev: 11, firstSeq: 4 });
    expect(await again.getThread({ threadId: 'other' })).toMatchObject({ firstSeq: 1, retention: { maxEntries: 1, maxAgeSeconds: null } });
    expect((await again.readEntries({ threadId: 'old', fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(['e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
    expect((await again.stats()).entriesLayout).toBe('without-rowid');
  });

  it('stores the entries of a new store in a rowid table: 1 KB entries take at most 1.5× their bytes, reads go through (tid, seq)', async () => {
    const { path, open } = await freshSqlite(cleanups);
    const s = await open();
    expect((await s.stats()).entriesLayout).toBe('rowid');
    const payload = { pad: 'x'.repeat(990) }; // 1,000 bytes of JSON
    const entries = 2000;
    // Two threads, interleaved: their rows alternate in the table, each thread's seqs stay in order.
    for (let i = 0; i < entries / 100; i++) {
      await Promise.all(['a', 'b'].map((threadId) => s.appendEntries({ threadId, entries: Array.from({ length: 50 }, () => ({ payload })) })));
    }
    expect((await s.readTail({ threadId: 'b', limit: 3 })).entries.map((e) => e.seq)).toEqual([997, 998, 999]);
    expect((await s.readEntries({ threadId: 'a', fromSeq: 500, limit: 2 })).map((e) => e.seq)).toEqual([500, 501]);
    await s.close();
    const size = (await stat(path)).size;
    // The WITHOUT ROWID layout of older stores took ~4.5× (an overflow page per 1 KB row).
    expect(size / (entries * JSON.stringify(payload).length)).toBeLessThanOrEqual(1.5);

    const db = new Database(path, { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan('SELECT payload FROM entries WHERE tid = 1 AND seq >= 5 ORDER BY seq LIMIT 10')).toContain('USING INDEX entries_by_seq');
      expect(plan('DELETE FROM entries WHERE tid = 1 AND seq < 5')).toContain('USING INDEX entries_by_seq');
      expect(db.prepare('PRAGMA index_list(entries)').all()).toEqual([expect.objectContaining({ name: 'entries_by_seq', unique: 1 })]);
    } finally {
      db.close();
    }
  });

  it('keeps a schema-2 store of the WITHOUT ROWID layout as it is: reads, appends, replays, trims and purges work on it', async () => {
    // Written by the adapter of commit 2f5f316: thread "long" (l0..l19, 1,516 B payloads, trimmed
    // to firstSeq 5, metadata {made: …}), thread "capped" (c0..c5, maxEntries 3: firstSeq 3, rows
    // c0..c2 still stored awaiting their purge batch), checkpoint bot/holder → long@8.
    const { path, open } = await freshSqlite(cleanups);
    await copyFile(SCHEMA_2_WITHOUT_ROWID_FIXTURE, path);
    const s = await open();
    expect(await s.stats()).toMatchObject({ entriesLayout: 'without-rowid', incrementalVacuum: true });
    expect(await s.getThread({ threadId: 'long' })).toMatchObject({ rev: 20, firstSeq: 5, metadata: { made: 'schema 2, without rowid' } });
    const long = await s.readEntries({ threadId: 'long', fromSeq: 0, limit: 100 });
    expect(long.map((e) => e.id)).toEqual(Array.from({ length: 15 }, (_, i) => `l${i + 5}`));
    expect(long[0]!.payload).toEqual({ i: 5, pad: 'z'.repeat(1500) });
    expect((await s.readEntries({ threadId: 'capped', fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(['c3', 'c4', 'c5']);

    const next = { threadId: 'long', entries: [{ id: 'l20', payload: { pad: 'w'.repeat(3000) } }], expectedRev: 20 };
    expect((await s.appendEntries(next)).replayed).toBe(false);
    expect((await s.appendEntries(next)).replayed).toBe(true);
    await rejection(s.trimThread({ threadId: 'long', beforeSeq: 9 }), TrimBeyondCheckpoint, { agentId: 'holder', pointerRev: 8 });
    expect((await s.trimThread({ threadId: 'long', beforeSeq: 8 })).dropped).toBe(3);
    // 300 more entries move capped's firstSeq past 256: its purge batch deletes every row below.
    await s.appendEntries({ threadId: 'capped', entries: Array.from({ length: 300 }, (_, i) => ({ id: `n${i}` })) });
    expect(await s.getThread({ threadId: 'capped' })).toMatchObject({ rev: 306, firstSeq: 303 });
    await s.close();

    const db = new Database(path);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(13 + 3); // long 8..20, capped 303..305
      expect((db.prepare('PRAGMA table_list').all() as { name: string; wr: number }[]).find((t) => t.name === 'entries')?.wr).toBe(1);
    } finally {
      db.close();
    }
    const again = await open();
    expect((await again.stats()).entriesLayout).toBe('without-rowid');
    expect((await again.readTail({ threadId: 'long', limit: 2 })).entries.map((e) => [e.seq, e.id])).toEqual([[19, 'l19'], [20, 'l20']]);
    expect((await again.readEntries({ threadId: 'capped', fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['n297', 'n298', 'n299']);
  });

  it('refuses a store of a later schema version, leaving it untouched', async () => {
    const { path, open } = await freshSqlite(cleanups);
    await (await open()).close();
    const db = new Database(path);
    db.pragma('user_version = 3');
    db.close();
    const error = await rejection(createSqliteStorage({ path }), StorageUnavailable);
    expect(error.message).toContain('schema version 3');
  });

  it('returns the space of a big trim to the file system, and a maxEntries thread stays small', async () => {
    const { path, open } = await freshSqlite(cleanups);
    const s = await open();
    expect((await s.stats()).incrementalVacuum).toBe(true);
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < 4; i++) await s.appendEntries({ threadId: 'big', entries: Array.from({ length: 500 }, () => ({ payload: { pad } })) });
    await s.close();
    const before = (await stat(path)).size;
    expect(before).toBeGreaterThan(2_000_000);
    const t = await open();
    expect((await t.trimThread({ threadId: 'big', beforeSeq: 1800 })).dropped).toBe(1800);
    expect((await t.stats()).vacuums).toBe(1);
    expect((await t.space()).freePages).toBeLessThan(256);
    for (let i = 0; i < 200; i++) {
      await t.appendEntries({ threadId: 'capped', entries: Array.from({ length: 25 }, () => ({ payload: { pad } })), retention: { maxEntries: 100 } });
    }
    expect(await t.getThread({ threadId: 'capped' })).toMatchObject({ rev: 5000, firstSeq: 4900 });
    await t.close();
    // 200 entries of "big" and 100 of "capped" stay (~0.3 MB, plus up to 256 rows of "capped"
    // awaiting their purge batch): 7 MB went through the file, 2 MB of it before the trim.
    expect((await stat(path)).size).toBeLessThan(1_500_000);
  });

  it('sweeps every thread with a policy past one page of 256, one sweep at a time', async () => {
    const { open } = await freshSqlite(cleanups);
    const s = await open();
    const namespaces = [rid('ns'), rid('ns')];
    const old = '2001-01-01T00:00:00.000Z';
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        s.appendEntries({
          namespace: namespaces[i % 2],
          threadId: `t${String(i).padStart(3, '0')}`,
          entries: [{ at: old }, { at: old }, {}],
          retention: { maxAgeSeconds: 3600 },
        }),
      ),
    );
    await s.appendEntries({ namespace: namespaces[0], threadId: 'no-policy', entries: [{ at: old }] });
    const [first, second] = await Promise.all([s.sweepRetention(), s.sweepRetention()]);
    expect(second).toEqual({ skipped: true, trimmedThreads: 0, dropped: 0 });
    expect(first).toEqual({ skipped: false, trimmedThreads: 300, dropped: 600 });
    expect(await s.getThread({ namespace: namespaces[1], threadId: 't299' })).toMatchObject({ rev: 3, firstSeq: 2 });
    expect(await s.getThread({ namespace: namespaces[0], threadId: 'no-policy' })).toMatchObject({ rev: 1, firstSeq: 0 });
    expect(await s.sweepRetention()).toEqual({ skipped: false, trimmedThreads: 0, dropped: 0 });
  });
});
