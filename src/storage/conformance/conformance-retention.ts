import { describe, expect, it } from 'vitest';
import { InvalidThreadPointer, RevisionConflict, TrimBeyondCheckpoint, ValidationError } from '../../domain/errors.js';
import type { Storage } from '../types.js';
import { EventLog, rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/**
 * Appends `n` entries, five per call, with ids e<seq> (and the given `at`s); `retention` goes with
 * the first call (it only counts when that call creates the thread).
 */
async function fill(
  s: Storage,
  namespace: string,
  threadId: string,
  n: number,
  at?: (i: number) => string,
  retention?: { maxEntries?: number; maxAgeSeconds?: number },
): Promise<void> {
  const start = (await s.getThread({ namespace, threadId }))?.rev ?? 0;
  for (let i = start; i < start + n; i += 5) {
    const count = Math.min(5, start + n - i);
    const entries = Array.from({ length: count }, (_, k) => ({ id: `e${i + k}`, ...(at ? { at: at(i + k) } : {}) }));
    await s.appendEntries({ namespace, threadId, entries, expectedRev: i, ...(i === start && retention ? { retention } : {}) });
  }
}

const seqs = (entries: { seq: number }[]): number[] => entries.map((e) => e.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Retention: trimThread (a prefix, never past a checkpoint's pointer), per-thread policies
 * applied on append (maxEntries), on setThreadRetention and by sweepRetention (maxAgeSeconds),
 * and what reads, pointers and replays see of a trimmed thread.
 */
export function retentionTests(ctx: ConformanceContext): void {
  describe('retention', () => {
    it('a new thread starts at firstSeq 0 with no policy, on every read path', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const { thread } = await s.appendEntries({ namespace, threadId, entries: [{}] });
      expect(thread).toMatchObject({ rev: 1, firstSeq: 0, retention: null });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 0, retention: null });
      expect((await s.readTail({ namespace, threadId, limit: 5 })).thread).toMatchObject({ firstSeq: 0, retention: null });
      expect((await s.listThreads({ namespace })).items[0]).toMatchObject({ firstSeq: 0, retention: null });
    });

    it('trimThread drops a prefix: rev and seqs stay, reads below firstSeq start at firstSeq', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 10);
      const trimmed = await s.trimThread({ namespace, threadId, beforeSeq: 4 });
      expect(trimmed.dropped).toBe(4);
      expect(trimmed.thread).toMatchObject({ id: threadId, rev: 10, firstSeq: 4 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 3 }))).toEqual([4, 5, 6]);
      expect((await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1 }))[0]).toMatchObject({ id: 'e4', seq: 4 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 3, limit: 100 }))).toEqual(range(4, 10));
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 7, limit: 100 }))).toEqual([7, 8, 9]);
      const tail = await s.readTail({ namespace, threadId, limit: 100 });
      expect(tail.thread).toMatchObject({ rev: 10, firstSeq: 4 });
      expect(seqs(tail.entries)).toEqual(range(4, 10));
      expect(seqs((await s.readTail({ namespace, threadId, limit: 2 })).entries)).toEqual([8, 9]);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 10, firstSeq: 4 });
      expect((await s.listThreads({ namespace })).items[0]).toMatchObject({ rev: 10, firstSeq: 4 });
      const next = await s.appendEntries({ namespace, threadId, entries: [{ id: 'e10' }], expectedRev: 10 });
      expect(next.entries[0]).toMatchObject({ id: 'e10', seq: 10 });
      expect(next.thread).toMatchObject({ rev: 11, firstSeq: 4 });
    });

    it('is idempotent: a trim at or below firstSeq drops nothing; a trim to rev empties the thread', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 6);
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 3, expectedRev: 6 })).dropped).toBe(3);
      const again = await s.trimThread({ namespace, threadId, beforeSeq: 3, expectedRev: 6 });
      expect(again).toMatchObject({ dropped: 0, thread: { rev: 6, firstSeq: 3 } });
      expect(await s.trimThread({ namespace, threadId, beforeSeq: 1 })).toMatchObject({ dropped: 0, thread: { firstSeq: 3 } });
      expect(await s.trimThread({ namespace, threadId, beforeSeq: 0 })).toMatchObject({ dropped: 0, thread: { firstSeq: 3 } });
      expect(await s.trimThread({ namespace, threadId, beforeSeq: 6 })).toMatchObject({ dropped: 3, thread: { rev: 6, firstSeq: 6 } });
      expect(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 })).toEqual([]);
      const tail = await s.readTail({ namespace, threadId, limit: 10 });
      expect(tail.entries).toEqual([]);
      expect(tail.thread).toMatchObject({ rev: 6, firstSeq: 6 });
      const appended = await s.appendEntries({ namespace, threadId, entries: [{ id: 'x' }], expectedRev: 6 });
      expect(appended.entries[0]!.seq).toBe(6);
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 }))).toEqual([6]);
    });

    it('refuses bad trims with typed errors and changes nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 5);
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: 6 }), ValidationError, { field: 'beforeSeq' });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: -1 }), ValidationError, { field: 'beforeSeq' });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: 1.5 }), ValidationError, { field: 'beforeSeq' });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: '2' as never }), ValidationError, { field: 'beforeSeq' });
      await rejection(s.trimThread({ namespace, threadId: rid('missing'), beforeSeq: 0 }), ValidationError, { field: 'threadId' });
      await rejection(s.trimThread({ namespace, threadId: '', beforeSeq: 0 }), ValidationError, { field: 'threadId' });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: 2, expectedRev: 4 }), RevisionConflict, {
        expectedRev: 4,
        actualRev: 5,
      });
      await rejection(s.trimThread(null as never), ValidationError);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 5, firstSeq: 0 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 }))).toEqual(range(0, 5));
    });

    it('never trims past a checkpoint pointer (TrimBeyondCheckpoint, nothing dropped); moving or deleting it frees the entries', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 10);
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'low', state: {}, thread: { id: threadId, rev: 5 } });
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'high', state: {}, thread: { id: threadId, rev: 8 } });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: 6 }), TrimBeyondCheckpoint, {
        threadId,
        beforeSeq: 6,
        agentType: 'a',
        agentId: 'low',
        pointerRev: 5,
      });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 0 });
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 5 })).dropped).toBe(5);
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'low', state: {}, thread: { id: threadId, rev: 9 } });
      await rejection(s.trimThread({ namespace, threadId, beforeSeq: 9 }), TrimBeyondCheckpoint, { agentId: 'high', pointerRev: 8 });
      expect(await s.deleteCheckpoint({ namespace, agentType: 'a', agentId: 'high' })).toBe(true);
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 9 })).dropped).toBe(4);
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'low', state: {}, thread: null });
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 10 })).thread).toMatchObject({ firstSeq: 10 });
    });

    it('only checkpoints of the same namespace and the same life of the thread hold entries back', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const other = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 4);
      await fill(s, other, threadId, 4);
      await s.putCheckpoint({ namespace: other, agentType: 'a', agentId: 'b', state: {}, thread: { id: threadId, rev: 1 } });
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 3 })).dropped).toBe(3);
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'old', state: {}, thread: { id: threadId, rev: 3 } });
      await s.deleteThread({ namespace, threadId });
      await fill(s, namespace, threadId, 4);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 4, firstSeq: 0 });
      expect((await s.trimThread({ namespace, threadId, beforeSeq: 4 })).dropped).toBe(4);
      await rejection(s.trimThread({ namespace: other, threadId, beforeSeq: 2 }), TrimBeyondCheckpoint, { pointerRev: 1 });
    });

    it('refuses a checkpoint pointer below firstSeq (its pending entries are gone); at firstSeq is fine', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      await fill(s, namespace, threadId, 6);
      await s.trimThread({ namespace, threadId, beforeSeq: 4 });
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 3 } }), InvalidThreadPointer, {
        threadId,
        pointerRev: 3,
      });
      expect(await s.getCheckpoint(key)).toBeNull();
      expect((await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 4 } })).thread).toMatchObject({ rev: 4 });
      expect((await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 6 } })).thread).toMatchObject({ rev: 6 });
    });

    it('an append retry whose entries were trimmed is a conflict, never a second copy', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }], expectedRev: 0 });
      await s.appendEntries({ namespace, threadId, entries: [{ id: 'c' }], expectedRev: 2 });
      expect((await s.appendEntries({ namespace, threadId, entries: [{ id: 'c' }], expectedRev: 2 })).replayed).toBe(true);
      await s.trimThread({ namespace, threadId, beforeSeq: 2 });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }], expectedRev: 0 }), RevisionConflict, {
        expectedRev: 0,
        actualRev: 3,
      });
      expect((await s.appendEntries({ namespace, threadId, entries: [{ id: 'c' }], expectedRev: 2 })).replayed).toBe(true);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 3, firstSeq: 2 });
    });

    it('a policy set on creation is kept, ignored by later appends, and maxEntries trims on every append', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const created = await s.appendEntries({ namespace, threadId, entries: [{ id: 'e0' }], retention: { maxEntries: 3 } });
      expect(created.thread.retention).toEqual({ maxEntries: 3, maxAgeSeconds: null });
      for (let i = 1; i < 10; i++) {
        const r = await s.appendEntries({ namespace, threadId, entries: [{ id: `e${i}` }], retention: { maxEntries: 100 } });
        expect(r.thread).toMatchObject({ rev: i + 1, firstSeq: Math.max(0, i + 1 - 3) });
      }
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 10, firstSeq: 7, retention: { maxEntries: 3, maxAgeSeconds: null } });
      expect((await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(['e7', 'e8', 'e9']);
      const batch = await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}, {}, {}] });
      expect(batch.thread).toMatchObject({ rev: 15, firstSeq: 12 });
      expect(seqs(batch.entries)).toEqual(range(10, 15));
    });

    it('maxEntries stops at a checkpoint pointer and catches up once the pointer moves', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}, {}], retention: { maxEntries: 2 } });
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {}, thread: { id: threadId, rev: 2 } });
      await fill(s, namespace, threadId, 6);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 8, firstSeq: 2 });
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {}, thread: { id: threadId, rev: 8 } });
      const next = await s.appendEntries({ namespace, threadId, entries: [{}] });
      expect(next.thread).toMatchObject({ rev: 9, firstSeq: 7 });
    });

    it('setThreadRetention sets, applies at once and clears a policy; bad input changes nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 10);
      const set = await s.setThreadRetention({ namespace, threadId, retention: { maxEntries: 4 } });
      expect(set).toMatchObject({ rev: 10, firstSeq: 6, retention: { maxEntries: 4, maxAgeSeconds: null } });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 }))).toEqual([6, 7, 8, 9]);
      await rejection(s.setThreadRetention({ namespace, threadId, retention: { maxEntries: 0 } }), ValidationError, {
        field: 'retention.maxEntries',
      });
      await rejection(s.setThreadRetention({ namespace, threadId, retention: { maxAgeSeconds: -5 } }), ValidationError, {
        field: 'retention.maxAgeSeconds',
      });
      await rejection(s.setThreadRetention({ namespace, threadId, retention: { maxEntries: 2.5 } }), ValidationError, {
        field: 'retention.maxEntries',
      });
      await rejection(s.setThreadRetention({ namespace, threadId: rid('missing'), retention: { maxEntries: 1 } }), ValidationError, {
        field: 'threadId',
      });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 6, retention: { maxEntries: 4, maxAgeSeconds: null } });
      const cleared = await s.setThreadRetention({ namespace, threadId, retention: null });
      expect(cleared).toMatchObject({ firstSeq: 6, retention: null });
      await fill(s, namespace, threadId, 5);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 15, firstSeq: 6, retention: null });
      const age = await s.setThreadRetention({ namespace, threadId, retention: { maxAgeSeconds: 3600, maxEntries: null } });
      expect(age.retention).toEqual({ maxEntries: null, maxAgeSeconds: 3600 });
    });

    it('refuses a bad policy on append and creates nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], retention: { maxEntries: 0 } }), ValidationError, {
        field: 'retention.maxEntries',
      });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], retention: { maxAgeSeconds: 'x' as never } }), ValidationError, {
        field: 'retention.maxAgeSeconds',
      });
      expect(await s.getThread({ namespace, threadId })).toBeNull();
    });

    it('sweepRetention drops the expired prefix by entry time, never past a pointer', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const now = new Date();
      const old = '2001-01-01T00:00:00.000Z';
      const young = new Date(now.getTime() - 10_000).toISOString();
      await fill(s, namespace, threadId, 8, (i) => (i < 6 ? old : young), { maxAgeSeconds: 3600 });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 0, retention: { maxEntries: null, maxAgeSeconds: 3600 } });
      const held = rid('t');
      await s.appendEntries({ namespace, threadId: held, entries: [{ at: old }], retention: { maxAgeSeconds: 60 } });
      await s.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {}, thread: { id: held, rev: 1 } });
      await fill(s, namespace, held, 3, () => old);
      const swept = await s.sweepRetention({ now });
      expect(swept.skipped).toBe(false);
      expect(swept.trimmedThreads).toBeGreaterThanOrEqual(2);
      expect(swept.dropped).toBeGreaterThanOrEqual(7);
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 8, firstSeq: 6 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 }))).toEqual([6, 7]);
      expect(await s.getThread({ namespace, threadId: held })).toMatchObject({ rev: 4, firstSeq: 1 });
      await s.sweepRetention({ now });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 6 });
      await s.sweepRetention({ now: new Date(now.getTime() + 7200_000) });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 8 });
    });

    it('sweepRetention refuses a now that is not a valid Date with a ValidationError, dropping nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 3, () => '2001-01-01T00:00:00.000Z', { maxAgeSeconds: 60 });
      for (const now of [new Date(Number.NaN), '2030-01-01' as unknown as Date, 5 as unknown as Date]) {
        await expect(s.sweepRetention({ now })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'now' });
      }
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 3, firstSeq: 0 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }))).toEqual([0, 1, 2]);
    });

    it('setThreadRetention with maxAgeSeconds drops the expired prefix at once', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 5, (i) => (i < 3 ? '2001-01-01T00:00:00.000Z' : new Date().toISOString()));
      const set = await s.setThreadRetention({ namespace, threadId, retention: { maxAgeSeconds: 86_400 } });
      expect(set).toMatchObject({ rev: 5, firstSeq: 3 });
    });

    it('publishes thread-trimmed with the new firstSeq', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 5);
      const log = new EventLog();
      const stop = await s.changes.subscribeThread(namespace, threadId, log.listener);
      try {
        await s.trimThread({ namespace, threadId, beforeSeq: 3 });
        expect(await log.waitFor((e) => e.type === 'thread-trimmed')).toEqual({ type: 'thread-trimmed', namespace, threadId, firstSeq: 3 });
      } finally {
        await stop();
      }
    });

    it('a re-created thread starts again at firstSeq 0 with the new call’s policy', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}], retention: { maxEntries: 1 } });
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ firstSeq: 2 });
      await s.deleteThread({ namespace, threadId });
      const again = await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
      expect(again.thread).toMatchObject({ rev: 2, firstSeq: 0, retention: null });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }))).toEqual([0, 1]);
    });

    it('racing trims and checkpoint puts never leave a pointer below firstSeq', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await fill(s, namespace, threadId, 40);
      const key = { namespace, agentType: 'race', agentId: rid('a') };
      for (let round = 0; round < 12; round++) {
        const rev = 2 + round * 3;
        const [put, trim] = await Promise.allSettled([
          s.putCheckpoint({ ...key, state: { round }, thread: { id: threadId, rev } }),
          s.trimThread({ namespace, threadId, beforeSeq: rev + 1 }),
        ]);
        if (put.status === 'rejected') expect(put.reason).toBeInstanceOf(InvalidThreadPointer);
        if (trim.status === 'rejected') expect(trim.reason).toBeInstanceOf(TrimBeyondCheckpoint);
        expect(put.status === 'fulfilled' && trim.status === 'fulfilled').toBe(false);
        const checkpoint = await s.getCheckpoint(key);
        const head = await s.getThread({ namespace, threadId });
        if (checkpoint?.thread) expect(checkpoint.thread.rev).toBeGreaterThanOrEqual(head!.firstSeq);
        if (put.status === 'rejected') await s.putCheckpoint({ ...key, state: {}, thread: null });
      }
    });

    it('racing appends under maxEntries all land with contiguous seqs', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}], retention: { maxEntries: 5 } });
      const results = await Promise.all(Array.from({ length: 20 }, () => s.appendEntries({ namespace, threadId, entries: [{}] })));
      expect(results.map((r) => r.entries[0]!.seq).sort((a, b) => a - b)).toEqual(range(1, 21));
      expect(await s.getThread({ namespace, threadId })).toMatchObject({ rev: 21, firstSeq: 16 });
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 }))).toEqual(range(16, 21));
    });

    it('startSeq (import) creates a thread as if trimmed there; ignored once the thread exists', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], startSeq: -1 }), ValidationError, { field: 'startSeq' });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }], startSeq: 7, expectedRev: 0 }), RevisionConflict, {
        expectedRev: 0,
        actualRev: 7,
      });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }], startSeq: 7, expectedRev: 3 }), RevisionConflict);
      expect(await s.getThread({ namespace, threadId })).toBeNull();
      const created = await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }], startSeq: 7, expectedRev: 7 });
      expect(created.thread).toMatchObject({ rev: 9, firstSeq: 7 });
      expect(seqs(created.entries)).toEqual([7, 8]);
      const retry = await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }], startSeq: 7, expectedRev: 7 });
      expect(retry.replayed).toBe(true);
      const more = await s.appendEntries({ namespace, threadId, entries: [{ id: 'c' }], startSeq: 100, expectedRev: 9 });
      expect(more.entries[0]!.seq).toBe(9);
      expect(seqs(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }))).toEqual([7, 8, 9]);
      expect(seqs((await s.readTail({ namespace, threadId, limit: 10 })).entries)).toEqual([7, 8, 9]);
      const plain = await s.appendEntries({ namespace, threadId: rid('t'), entries: [{}], startSeq: 4 });
      expect(plain.thread).toMatchObject({ rev: 5, firstSeq: 4 });
    });

    it('applies the default policy of the limits to threads created without one', async () => {
      const { storage: s, cleanup } = await ctx.factory({ limits: { defaultRetention: { maxEntries: 2, maxAgeSeconds: null } } });
      try {
        const namespace = rid('ns');
        const r = await s.appendEntries({ namespace, threadId: rid('t'), entries: [{}, {}, {}] });
        expect(r.thread).toMatchObject({ rev: 3, firstSeq: 1, retention: { maxEntries: 2, maxAgeSeconds: null } });
        const own = await s.appendEntries({ namespace, threadId: rid('t'), entries: [{}, {}, {}], retention: { maxEntries: 10 } });
        expect(own.thread).toMatchObject({ firstSeq: 0, retention: { maxEntries: 10, maxAgeSeconds: null } });
      } finally {
        await s.close();
        await cleanup?.();
      }
    });
  });
}
