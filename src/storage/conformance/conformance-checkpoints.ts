import { describe, expect, it } from 'vitest';
import { InvalidThreadPointer, RevisionConflict, ValidationError } from '../../domain/errors.js';
import { rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/** Checkpoint upserts, CAS, pointers, deletes and listings. */
export function checkpointTests(ctx: ConformanceContext): void {
  describe('checkpoints', () => {
    it('writes rev 1, 2, 3 with createdAt fixed and updatedAt moving', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const key = { namespace, agentType: 'planner', agentId: rid('a') };
      expect(await s.getCheckpoint(key)).toBeNull();
      const first = await s.putCheckpoint({ ...key, state: { step: 1 } });
      expect(first).toMatchObject({ agentType: 'planner', agentId: key.agentId, rev: 1, version: 1, state: { step: 1 }, thread: null });
      expect(first.createdAt).toBe(first.updatedAt);
      while (Date.now() <= Date.parse(first.updatedAt)) await Promise.resolve();
      const second = await s.putCheckpoint({ ...key, state: { step: 2 }, version: 7 });
      expect(second).toMatchObject({ rev: 2, version: 7, state: { step: 2 }, createdAt: first.createdAt });
      expect(Date.parse(second.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
      const third = await s.putCheckpoint({ ...key, state: { step: 3 } });
      expect(third).toMatchObject({ rev: 3, version: 1, state: { step: 3 } });
      expect(await s.getCheckpoint(key)).toEqual(third);
    });

    it('fences writers with expectedRev (0 = must not exist, n = rev must be n)', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const key = { namespace, agentType: 'worker', agentId: rid('a') };
      await rejection(s.putCheckpoint({ ...key, state: {}, expectedRev: 1 }), RevisionConflict, { expectedRev: 1, actualRev: 0 });
      expect(await s.getCheckpoint(key)).toBeNull();
      expect((await s.putCheckpoint({ ...key, state: { v: 1 }, expectedRev: 0 })).rev).toBe(1);
      await rejection(s.putCheckpoint({ ...key, state: { v: 'x' }, expectedRev: 0 }), RevisionConflict, {
        code: 'REVISION_CONFLICT',
        expectedRev: 0,
        actualRev: 1,
      });
      await rejection(s.putCheckpoint({ ...key, state: { v: 'x' }, expectedRev: 2 }), RevisionConflict, { expectedRev: 2, actualRev: 1 });
      expect((await s.putCheckpoint({ ...key, state: { v: 2 }, expectedRev: 1 })).rev).toBe(2);
      expect(await s.getCheckpoint(key)).toMatchObject({ rev: 2, state: { v: 2 } });
    });

    it('of 20 racing puts with the same expectedRev exactly one wins', async () => {
      const s = ctx.storage();
      const key = { namespace: rid('ns'), agentType: 'racer', agentId: rid('a') };
      await s.putCheckpoint({ ...key, state: {} });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => s.putCheckpoint({ ...key, state: { i }, expectedRev: 1 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionConflict);
      expect((await s.getCheckpoint(key))?.rev).toBe(2);
    });

    it('validates the thread pointer against the stored thread', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1 } }), InvalidThreadPointer, {
        code: 'INVALID_THREAD_POINTER',
        threadId,
        pointerRev: 1,
        storedRev: 0,
      });
      const { thread } = await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 4 } }), InvalidThreadPointer, {
        threadId,
        pointerRev: 4,
        storedRev: 3,
      });
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 0 } }), ValidationError, {
        field: 'thread.rev',
      });
      expect(await s.getCheckpoint(key)).toBeNull();
      expect((await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 2 } })).thread).toEqual({ id: threadId, rev: 2, life: thread.life });
      const exact = await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 3 } });
      expect(exact).toMatchObject({ rev: 2, thread: { id: threadId, rev: 3 } });
      expect((await s.putCheckpoint({ ...key, state: {}, thread: null })).thread).toBeNull();
      const otherNs = rid('ns');
      await rejection(
        s.putCheckpoint({ ...key, namespace: otherNs, state: {}, thread: { id: threadId, rev: 1 } }),
        InvalidThreadPointer,
        { storedRev: 0 },
      );
    });

    it('deletes idempotently; deleting a thread leaves checkpoints pointing at it', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      await s.appendEntries({ namespace, threadId, entries: [{}] });
      const saved = await s.putCheckpoint({ ...key, state: { a: 1 }, thread: { id: threadId, rev: 1 } });
      expect(await s.deleteThread({ namespace, threadId })).toBe(true);
      expect(await s.getCheckpoint(key)).toEqual(saved);
      expect(await s.deleteCheckpoint(key)).toBe(true);
      expect(await s.deleteCheckpoint(key)).toBe(false);
      expect(await s.getCheckpoint(key)).toBeNull();
      expect((await s.putCheckpoint({ ...key, state: {}, expectedRev: 0 })).rev).toBe(1);
    });

    it('stores copies of the state', async () => {
      const s = ctx.storage();
      const key = { namespace: rid('ns'), agentType: 'p', agentId: rid('a') };
      const state = { deep: { list: [1] } };
      const saved = await s.putCheckpoint({ ...key, state });
      state.deep.list.push(2);
      (saved.state.deep as { list: number[] }).list.push(3);
      const read = await s.getCheckpoint(key);
      expect(read?.state).toEqual({ deep: { list: [1] } });
      (read!.state.deep as { list: number[] }).list.push(4);
      expect((await s.getCheckpoint(key))?.state).toEqual({ deep: { list: [1] } });
    });

    it('lists by (agentType, agentId) with a filter, an exclusive cursor and hasMore', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const keys = [
        ['b', '2'],
        ['a', '9'],
        ['b', '1'],
        ['a', '10'],
        ['c', 'x'],
        ['B', 'z'],
        ['é', '😀'],
      ] as const;
      for (const [agentType, agentId] of keys) await s.putCheckpoint({ namespace, agentType, agentId, state: { agentId } });
      const cmp = (x: readonly string[], y: readonly string[]): number =>
        x[0] !== y[0] ? (x[0]! < y[0]! ? -1 : 1) : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0;
      const expected = [...keys].sort(cmp).map(([t, i]) => `${t}/${i}`);
      const seen: string[] = [];
      let after: { agentType: string; agentId: string } | null = null;
      for (;;) {
        const page = await s.listCheckpoints({ namespace, first: 2, after });
        seen.push(...page.items.map((c) => `${c.agentType}/${c.agentId}`));
        if (!page.hasMore) break;
        expect(page.items).toHaveLength(2);
        const last = page.items.at(-1)!;
        after = { agentType: last.agentType, agentId: last.agentId };
      }
      expect(seen).toEqual(expected);
      const onlyB = await s.listCheckpoints({ namespace, agentType: 'b' });
      expect(onlyB.items.map((c) => c.agentId)).toEqual(['1', '2']);
      expect(onlyB.hasMore).toBe(false);
      const bAfter1 = await s.listCheckpoints({ namespace, agentType: 'b', first: 1, after: { agentType: 'b', agentId: '1' } });
      expect(bAfter1.items.map((c) => c.agentId)).toEqual(['2']);
      expect(bAfter1.hasMore).toBe(false);
      const firstB = await s.listCheckpoints({ namespace, agentType: 'b', first: 1 });
      expect(firstB.hasMore).toBe(true);
      expect(firstB.items[0]).toMatchObject({ agentType: 'b', agentId: '1', rev: 1, state: { agentId: '1' } });
      expect((await s.listCheckpoints({ namespace, agentType: 'none' })).items).toEqual([]);
    });
  });
}
