import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { HandlePool } from '../../src/storage/file/handle-pool.js';
import { createFileStorage, type FileStorage } from '../../src/storage/file/index.js';
import { openStorage } from '../../src/storage/open.js';
import { describeStorageConformance, rejection, rid } from 'cryo/storage/conformance';
import { DURABILITY_MODES, freshStore, startChild, tempDir, walk } from './file-helpers.js';

describe.each(DURABILITY_MODES)('durability %s', (durability) => {
  describeStorageConformance('file', async ({ limits }) => {
    const dir = await tempDir();
    return { storage: await createFileStorage({ durability, directory: dir.path, limits }), cleanup: dir.remove };
  });

  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const fresh = () => freshStore(cleanups, { durability });

  describe('file adapter: persistence', () => {
    it('keeps everything written across close and reopen (rev == entry count)', async () => {
      const { open } = await fresh();
      const a = await open();
      const threads = [rid('t'), rid('t'), rid('t')];
      const ids = new Map<string, string[]>();
      for (const [i, threadId] of threads.entries()) {
        for (let n = 0; n < 5 + i; n++) {
          const entries = [{ id: rid('e'), payload: { n } }, { id: rid('e'), kind: 'k.two' }];
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
      await a.close();

      const b = await open();
      expect(b.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
      for (const threadId of threads.slice(0, 2)) {
        const head = await b.getThread({ threadId });
        const entries = await b.readEntries({ threadId, fromSeq: 0, limit: 1000 });
        expect(head!.rev).toBe(entries.length);
        expect(entries.map((e) => e.id)).toEqual(ids.get(threadId));
        expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
      }
      expect(await b.getThread({ threadId: threads[2]! })).toBeNull();
      expect(await b.readTail({ threadId: threads[1]!, limit: 3 })).toEqual(before);
      expect((await b.listThreads({})).items.map((t) => t.id)).toEqual(threads.slice(0, 2).sort());
      const listed = await b.listCheckpoints({});
      expect(listed.items.map((c) => [c.agentId, c.rev, c.state])).toEqual([['one', 2, { v: 2 }]]);
      const next = await b.appendEntries({ threadId: threads[0]!, entries: [{}], expectedRev: ids.get(threads[0]!)!.length });
      expect(next.entries[0]!.seq).toBe(ids.get(threads[0]!)!.length);
    });

    it('stores hostile ids harmlessly: every file stays inside the directory with a hashed name', async () => {
      const { dir, open } = await fresh();
      const hostile = ['../../x', 'a/b', '.', '..', 'con', 'NUL.txt', 'x'.repeat(256), '🧊❄️🐧', 'Ωμέγα/../../etc/passwd', '\\..\\..\\win', ' lead', 'trail.'];
      const a = await open();
      for (const id of hostile) {
        await a.appendEntries({ namespace: id, threadId: id, entries: [{ id, payload: { id } }], metadata: { id } });
        await a.putCheckpoint({ namespace: id, agentType: id, agentId: id, state: { id }, thread: { id, rev: 1 } });
      }
      await a.close();
      const b = await open();
      for (const id of hostile) {
        const { thread, entries } = await b.readTail({ namespace: id, threadId: id, limit: 5 });
        expect(thread).toMatchObject({ id, rev: 1, metadata: { id } });
        expect(entries.map((e) => [e.id, e.payload])).toEqual([[id, { id }]]);
        expect(await b.getCheckpoint({ namespace: id, agentType: id, agentId: id })).toMatchObject({ state: { id }, thread: { id, rev: 1 } });
        expect((await b.listThreads({ namespace: id })).items.map((t) => t.id)).toEqual([id]);
      }
      const files = await walk(dir);
      expect(files.length).toBe(2 * hostile.length + 2 + (durability === 'wal' ? 1 : 0));
      for (const file of files) {
        expect(file).toMatch(/^(FORMAT|LOCK|WAL\.[0-9]+|threads\/[0-9a-f]{64}\.journal|checkpoints\/[0-9a-f]{64}\.ckpt)$/);
      }
    });

    it('close waits for appends in flight, then refuses calls; the appends are there after reopen', async () => {
      const { open } = await fresh();
      const a = await open();
      const threadId = rid('t');
      const appends = Array.from({ length: 20 }, (_, i) => a.appendEntries({ threadId, entries: [{ id: `e${i}` }] }));
      const closed = a.close();
      await rejection(a.getThread({ threadId }), StorageUnavailable);
      await closed;
      expect((await Promise.all(appends)).map((r) => r.thread.rev).sort((x, y) => x - y)).toEqual(appends.map((_, i) => i + 1));
      await a.close();
      const b = await open();
      expect((await b.getThread({ threadId }))!.rev).toBe(20);
    });

    it('refuses a non-empty directory that is not a Cryo store', async () => {
      const { dir } = await fresh();
      await writeFile(join(dir, 'notes.txt'), 'mine');
      const error = await rejection(createFileStorage({ durability, directory: dir }), StorageUnavailable);
      expect(error.message).toContain('not a Cryo file storage');
      expect(await walk(dir)).toEqual(['notes.txt']);
    });

    it('ping fails with StorageUnavailable when the data directory disappears', async () => {
      const { dir, open } = await fresh();
      const storage = await open();
      await storage.ping();
      await rm(join(dir, 'threads'), { recursive: true });
      await rejection(storage.ping(), StorageUnavailable);
    });

    it('reports an unusable directory as StorageUnavailable naming it', async () => {
      const { dir } = await fresh();
      await writeFile(join(dir, 'a-file'), 'x');
      const error = await rejection(createFileStorage({ durability, directory: join(dir, 'a-file', 'data') }), StorageUnavailable);
      expect(error.message).toContain(join(dir, 'a-file', 'data'));
    });

    it('works with fewer idle file handles than threads', async () => {
      const { dir } = await fresh();
      const storage = await createFileStorage({ durability, directory: dir, maxOpenFiles: 1 });
      try {
        const threads = Array.from({ length: 6 }, () => rid('h'));
        for (let round = 0; round < 3; round++) {
          await Promise.all(threads.map((threadId) => storage.appendEntries({ threadId, entries: [{ payload: { round } }] })));
          for (const threadId of threads) {
            const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 10 });
            expect(entries.map((e) => e.payload)).toEqual(Array.from({ length: round + 1 }, (_, r) => ({ round: r })));
          }
        }
      } finally {
        await storage.close();
      }
    });

    it('opens through a file: storage URL', async () => {
      const { dir } = await fresh();
      const storage = await openStorage(`file:${dir}`);
      try {
        expect(storage.kind).toBe('file');
        await storage.appendEntries({ threadId: 'u', entries: [{}] });
      } finally {
        await storage.close();
      }
    });
  });

  describe('file adapter: concurrency', () => {
    it('a racing mix of appends, fenced appends, retries and deletes stays consistent across reopen', async () => {
      const { open } = await fresh();
      const a = await open();
      const threads = [rid('r'), rid('r'), rid('r')];
      const known = new Map<string, number>(threads.map((t) => [t, 0]));
      const acked: { threadId: string; seq: number; id: string }[] = [];
      const done: { threadId: string; expectedRev: number; ids: string[] }[] = [];
      const deletes = new Map<string, number>(threads.map((t) => [t, 0]));
      const counts = { replayed: 0, conflicts: 0 };
      const op = async (i: number): Promise<void> => {
        const threadId = threads[i % 3]!;
        const roll = (i * 7919) % 10;
        if (roll === 0 && i % 50 === 0 && threadId === threads[2]) {
          await a.deleteThread({ threadId });
          deletes.set(threadId, deletes.get(threadId)! + 1);
          return;
        }
        if (roll === 1 && done.length > 0) {
          const prior = done[i % done.length]!;
          const retry = await a
            .appendEntries({ threadId: prior.threadId, expectedRev: prior.expectedRev, entries: prior.ids.map((id) => ({ id })) })
            .catch((e: unknown) => e as Error);
          if (!(retry instanceof Error)) {
            expect(retry.entries.map((e) => e.id)).toEqual(prior.ids);
            if (retry.replayed) counts.replayed++;
          }
          return;
        }
        const ids = Array.from({ length: 1 + (i % 3) }, () => rid('e'));
        const expectedRev = roll < 5 ? known.get(threadId)! : undefined;
        const result = await a
          .appendEntries({ threadId, expectedRev, entries: ids.map((id) => ({ id })) })
          .catch((e: unknown) => e as Error);
        if (result instanceof Error) {
          expect(result.name).toBe('RevisionConflict');
          counts.conflicts++;
          return;
        }
        known.set(threadId, Math.max(known.get(threadId)!, result.thread.rev));
        if (!result.replayed) {
          result.entries.forEach((e, k) => acked.push({ threadId, seq: e.seq, id: ids[k]! }));
          done.push({ threadId, expectedRev: result.entries[0]!.seq, ids });
        }
      };
      for (let wave = 0; wave < 3; wave++) await Promise.all(Array.from({ length: 100 }, (_, i) => op(wave * 100 + i)));
      expect(counts.replayed).toBeGreaterThan(0);
      expect(counts.conflicts).toBeGreaterThan(0);
      expect(deletes.get(threads[2]!)).toBeGreaterThan(0);
      const finalHeads = await Promise.all(threads.map((threadId) => a.readTail({ threadId, limit: 10_000 })));
      await a.close();
      const b = await open();
      for (const [k, threadId] of threads.entries()) {
        const entries = await b.readEntries({ threadId, fromSeq: 0, limit: 10_000 });
        expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
        expect((await b.getThread({ threadId }))?.rev ?? 0).toBe(entries.length);
        expect(entries).toEqual(finalHeads[k]!.entries);
        if (deletes.get(threadId) === 0) {
          for (const ack of acked.filter((x) => x.threadId === threadId)) expect(entries[ack.seq]?.id).toBe(ack.id);
        }
      }
    });
  });

  describe('file adapter: directory lock', () => {
    it('refuses a second open in the same process until the first is closed', async () => {
      const { dir, open } = await fresh();
      const a = await open();
      const error = await rejection(createFileStorage({ durability, directory: dir }), StorageUnavailable);
      expect(error.message).toContain(dir);
      expect(error.message).toContain('already open in this process');
      await symlink(dir, `${dir}-link`);
      cleanups.push(() => rm(`${dir}-link`));
      await rejection(createFileStorage({ durability, directory: `${dir}-link` }), StorageUnavailable);
      await a.close();
      const b = await open();
      await b.appendEntries({ threadId: 't', entries: [{}] });
    });

    it('refuses another process while held, names the holder, and lets it in after close', async () => {
      const { dir, open } = await fresh();
      const a = await open();
      const child = startChild(['open', dir]);
      const exit = await child.exited;
      expect(exit.code).toBe(3);
      expect(child.lines[0]).toMatch(/^error STORAGE_UNAVAILABLE /);
      expect(child.lines[0]).toContain(`file storage ${dir} is locked by process ${process.pid}`);
      await a.close();

      const holder = startChild(['open', dir]);
      await holder.until((lines) => lines.includes('opened'));
      const error = await rejection(createFileStorage({ durability, directory: dir }), StorageUnavailable);
      expect(error.message).toContain(`locked by process ${holder.process.pid}`);
      holder.process.stdin.end();
      expect((await holder.exited).code).toBe(0);
      await (await open()).close();
    });

    it('takes over a stale lock left by a dead process', async () => {
      const { dir, open } = await fresh();
      const dead = startChild(['open', dir]);
      await dead.until((lines) => lines.includes('opened'));
      dead.process.kill('SIGKILL');
      await dead.exited;
      expect(await walk(dir)).toContain('LOCK');
      const storage = await open();
      await storage.appendEntries({ threadId: 't', entries: [{}] });
      expect(await storage.getThread({ threadId: 't' })).toMatchObject({ rev: 1 });
    });

    it('a LOCK written before kernel locks blocks while its pid is alive, not once the pid belongs to another process', async () => {
      const { dir, open } = await fresh();
      const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)']);
      cleanups.push(async () => {
        other.kill('SIGKILL');
        await once(other, 'close');
      });
      await once(other, 'spawn');
      const stat = await readFile(`/proc/${other.pid}/stat`, 'utf8');
      const procStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      const lock = (start: string) => JSON.stringify({ pid: other.pid, host: hostname(), startedAt: 'then', procStart: start });
      await writeFile(join(dir, 'LOCK'), lock(procStart!));
      const error = await rejection(createFileStorage({ durability, directory: dir }), StorageUnavailable);
      expect(error.message).toContain(`locked by process ${other.pid}`);
      await writeFile(join(dir, 'LOCK'), lock('1'));
      const storage = await open();
      expect(JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid });
      await storage.close();
    });
  });

  describe('file adapter: group commit', () => {
    it('32 concurrent appends share flush rounds (appends per round > 1), on many threads and on one', async () => {
      const { open } = await fresh();
      const storage = await open();
      for (const threads of [32, 1]) {
        const before = storage.stats();
        const ids = Array.from({ length: threads }, () => rid('g'));
        await Promise.all(
          Array.from({ length: 32 }, (_, i) =>
            storage.appendEntries({ threadId: ids[i % threads]!, entries: [{ payload: { i, r: randomBytes(8).toString('hex') } }] }),
          ),
        );
        const after = storage.stats();
        const appends = after.appends - before.appends;
        const rounds = after.rounds - before.rounds;
        expect(appends).toBe(32);
        expect(rounds).toBeGreaterThan(0);
        expect(appends / rounds).toBeGreaterThan(1);
        for (const threadId of ids) {
          const head = await storage.getThread({ threadId });
          expect(head!.rev).toBe(32 / threads);
        }
      }
    });
  });
});

describe('file adapter: handle pool', () => {
  it('an open that creates the file is not failed by a concurrent read-only open of the missing file', async () => {
    const dir = await tempDir();
    const pool = new HandlePool(4);
    try {
      const path = join(dir.path, 'recreated.journal');
      const reading = pool.acquire(path, 'r+');
      const creating = pool.acquire(path, 'w+');
      await expect(reading).rejects.toMatchObject({ code: 'ENOENT' });
      const lease = await creating;
      await lease.handle.write('x', 0);
      lease.release();
      expect(await readFile(path, 'utf8')).toBe('x');
    } finally {
      await pool.closeAll();
      await dir.remove();
    }
  });
});
