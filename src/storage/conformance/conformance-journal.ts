import { describe, expect, it } from 'vitest';
import { RevisionConflict } from '../../domain/errors.js';
import type { Entry } from '../../domain/types.js';
import { rejection, rid, type ConformanceContext } from './conformance-helpers.js';

const ids = (entries: readonly Entry[]): string[] => entries.map((e) => e.id);
const seqs = (entries: readonly Entry[]): number[] => entries.map((e) => e.seq);

/** Appends, revisions, idempotent retries and reads. */
export function journalTests(ctx: ConformanceContext): void {
  describe('thread journal', () => {
    it('assigns contiguous 0-based seqs across batches; rev is the entry count', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const first = await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      expect(seqs(first.entries)).toEqual([0, 1, 2]);
      expect(first.thread.rev).toBe(3);
      expect(first.replayed).toBe(false);
      const second = await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
      expect(seqs(second.entries)).toEqual([3, 4]);
      expect(second.thread.rev).toBe(5);
      const all = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 100 });
      expect(seqs(all)).toEqual([0, 1, 2, 3, 4]);
      expect(all).toEqual([...first.entries, ...second.entries]);
      expect((await s.getThread({ namespace, threadId }))?.rev).toBe(5);
    });

    it('applies appends one caller makes to one thread in call order, even while earlier ones are in flight', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const calls = Array.from({ length: 20 }, (_, i) =>
        s.appendEntries({ namespace, threadId, entries: [{ id: `e${i}` }], metadata: { first: i } }),
      );
      const results = await Promise.all(calls);
      expect(results.map((r) => r.entries[0]!.seq)).toEqual(results.map((_, i) => i));
      expect((await s.getThread({ namespace, threadId }))?.metadata).toEqual({ first: 0 });
    });

    it('fills defaults: generated ids, kind "note", {} payload and refs, server time; keeps given fields', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const before = Date.now();
      const { entries } = await s.appendEntries({
        namespace,
        threadId,
        entries: [{}, { id: 'mine', kind: 'tool.call:v1', payload: { a: [1, 'x', null] }, refs: { r: 1 }, at: '2020-01-02T03:04:05Z' }],
      });
      const [generated, given] = entries as [Entry, Entry];
      expect(generated).toMatchObject({ threadId, seq: 0, kind: 'note', payload: {}, refs: {} });
      expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(generated.at)).toBeGreaterThanOrEqual(before - 1000);
      expect(generated.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(given).toEqual({
        id: 'mine',
        threadId,
        seq: 1,
        kind: 'tool.call:v1',
        payload: { a: [1, 'x', null] },
        refs: { r: 1 },
        at: '2020-01-02T03:04:05.000Z',
      });
      expect(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 })).toEqual(entries);
    });

    it('expectedRev 0 creates a thread and fails on an existing one with the real actualRev', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}, {}], expectedRev: 0 });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 0 }), RevisionConflict, {
        code: 'REVISION_CONFLICT',
        expectedRev: 0,
        actualRev: 2,
      });
      expect((await s.getThread({ namespace, threadId }))?.rev).toBe(2);
    });

    it('expectedRev n must equal the rev; a conflict writes nothing and reports actualRev', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 3 }), RevisionConflict, {
        expectedRev: 3,
        actualRev: 0,
      });
      expect(await s.getThread({ namespace, threadId })).toBeNull();
      await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 2 }), RevisionConflict, {
        expectedRev: 2,
        actualRev: 3,
      });
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 4 }), RevisionConflict, {
        expectedRev: 4,
        actualRev: 3,
      });
      const ok = await s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 3 });
      expect(ok.thread.rev).toBe(4);
      expect(seqs(ok.entries)).toEqual([3]);
    });

    it('of 50 racing appends with the same expectedRev exactly one wins', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}] });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          s.appendEntries({ namespace, threadId, entries: [{ id: `race-${i}` }], expectedRev: 1 }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(RevisionConflict);
        expect(r.reason).toMatchObject({ expectedRev: 1, actualRev: 2 });
      }
      expect((await s.getThread({ namespace, threadId }))?.rev).toBe(2);
    });

    it('50 racing unconditional appends all land with distinct contiguous seqs', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          s.appendEntries({ namespace, threadId, entries: [{ id: `a-${i}` }, { id: `b-${i}` }] }),
        ),
      );
      const assigned = results.flatMap((r) => seqs(r.entries)).sort((a, b) => a - b);
      expect(assigned).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const r of results) expect(r.entries[1]!.seq).toBe(r.entries[0]!.seq + 1);
      const stored = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1000 });
      expect(seqs(stored)).toEqual(assigned);
      expect(stored).toEqual(results.flatMap((r) => r.entries).sort((a, b) => a.seq - b.seq));
      expect((await s.getThread({ namespace, threadId }))?.rev).toBe(100);
    });

    it('recognises an idempotent retry: returns the stored entries, replayed, writes nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const call = { namespace, threadId, entries: [{ id: 'e1', payload: { n: 1 } }, { id: 'e2' }], expectedRev: 0 };
      const first = await s.appendEntries(call);
      expect(first.replayed).toBe(false);
      const retry = await s.appendEntries({ ...call, entries: [{ id: 'e1', payload: { other: true } }, { id: 'e2' }] });
      expect(retry.replayed).toBe(true);
      expect(retry.entries).toEqual(first.entries);
      expect(retry.thread.rev).toBe(2);
      await s.appendEntries({ namespace, threadId, entries: [{ id: 'e3' }] });
      const late = await s.appendEntries(call);
      expect(late.replayed).toBe(true);
      expect(late.entries).toEqual(first.entries);
      expect(late.thread.rev).toBe(3);
      const stored = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 });
      expect(ids(stored)).toEqual(['e1', 'e2', 'e3']);
      expect(stored[0]!.payload).toEqual({ n: 1 });
    });

    it('a retry whose ids only partly match, overrun the end, or are not all given is a conflict', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }], expectedRev: 0 });
      const conflict = { expectedRev: 0, actualRev: 2 };
      await rejection(
        s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'c' }], expectedRev: 0 }),
        RevisionConflict,
        conflict,
      );
      await rejection(
        s.appendEntries({ namespace, threadId, entries: [{ id: 'b' }, { id: 'a' }], expectedRev: 0 }),
        RevisionConflict,
        conflict,
      );
      await rejection(
        s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], expectedRev: 0 }),
        RevisionConflict,
        conflict,
      );
      await rejection(s.appendEntries({ namespace, threadId, entries: [{}, {}], expectedRev: 0 }), RevisionConflict, conflict);
      await rejection(
        s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }, {}], expectedRev: 0 }),
        RevisionConflict,
        conflict,
      );
      await rejection(s.appendEntries({ namespace, threadId, entries: [{ id: 'b' }], expectedRev: 0 }), RevisionConflict, conflict);
      const tailReplay = await s.appendEntries({ namespace, threadId, entries: [{ id: 'b' }], expectedRev: 1 });
      expect(tailReplay.replayed).toBe(true);
      expect(seqs(tailReplay.entries)).toEqual([1]);
      expect(ids(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }))).toEqual(['a', 'b']);
    });

    it('sets metadata only when the thread is created; createdAt stays while updatedAt moves', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const plain = rid('t');
      expect((await s.appendEntries({ namespace, threadId: plain, entries: [{}] })).thread.metadata).toEqual({});
      const first = await s.appendEntries({ namespace, threadId, entries: [{}], metadata: { title: 'a', n: [1] } });
      expect(first.thread).toMatchObject({ id: threadId, rev: 1, metadata: { title: 'a', n: [1] } });
      expect(first.thread.createdAt).toBe(first.thread.updatedAt);
      while (Date.now() <= Date.parse(first.thread.updatedAt)) await Promise.resolve();
      const second = await s.appendEntries({ namespace, threadId, entries: [{}], metadata: { title: 'b' } });
      expect(second.thread.metadata).toEqual({ title: 'a', n: [1] });
      expect(second.thread.createdAt).toBe(first.thread.createdAt);
      expect(Date.parse(second.thread.updatedAt)).toBeGreaterThan(Date.parse(first.thread.updatedAt));
      expect(await s.getThread({ namespace, threadId })).toEqual(second.thread);
    });

    it('reads by range and tail; beyond the end and missing threads read empty', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const { entries } = await s.appendEntries({
        namespace,
        threadId,
        entries: Array.from({ length: 10 }, (_, i) => ({ id: `e${i}` })),
      });
      expect(await s.readEntries({ namespace, threadId, fromSeq: 3, limit: 4 })).toEqual(entries.slice(3, 7));
      expect(await s.readEntries({ namespace, threadId, fromSeq: 8, limit: 50 })).toEqual(entries.slice(8));
      expect(await s.readEntries({ namespace, threadId, fromSeq: 10, limit: 5 })).toEqual([]);
      expect(await s.readEntries({ namespace, threadId, fromSeq: 1000, limit: 5 })).toEqual([]);
      const tail = await s.readTail({ namespace, threadId, limit: 3 });
      expect(tail.entries).toEqual(entries.slice(7));
      expect(tail.thread).toMatchObject({ id: threadId, rev: 10 });
      expect((await s.readTail({ namespace, threadId, limit: 50 })).entries).toEqual(entries);
      const missing = rid('t');
      expect(await s.getThread({ namespace, threadId: missing })).toBeNull();
      expect(await s.readEntries({ namespace, threadId: missing, fromSeq: 0, limit: 10 })).toEqual([]);
      expect(await s.readTail({ namespace, threadId: missing, limit: 10 })).toEqual({ thread: null, entries: [] });
    });

    it('round-trips unicode, emoji and path-like ids', async () => {
      const s = ctx.storage();
      const namespace = `ns/../${rid('é')}`;
      for (const threadId of ['../x', '../../etc/passwd', 'ünïcödé 线程', 'emoji 🧊🤖', 'a/b\\c', '.', 'CON', ' spaced ']) {
        const { entries } = await s.appendEntries({ namespace, threadId, entries: [{ id: `🧊 ${threadId}`, kind: 'k' }] });
        expect(entries[0]).toMatchObject({ id: `🧊 ${threadId}`, threadId });
        expect(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1 })).toEqual(entries);
        expect((await s.getThread({ namespace, threadId }))?.id).toBe(threadId);
      }
      const listed = await s.listThreads({ namespace, first: 10 });
      expect(listed.items.map((t) => t.id)).toContain('emoji 🧊🤖');
      expect(listed.items).toHaveLength(8);
    });

    it('stores copies: mutating inputs or results never changes stored data', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const payload = { list: [1, 2], nested: { v: 'a' } };
      const metadata = { m: { x: 1 } };
      const result = await s.appendEntries({ namespace, threadId, entries: [{ id: 'e', payload }], metadata });
      payload.list.push(3);
      payload.nested.v = 'changed';
      metadata.m.x = 2;
      (result.entries[0]!.payload as { list: number[] }).list.push(4);
      result.thread.metadata.m = 'changed';
      const [read] = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1 });
      expect(read!.payload).toEqual({ list: [1, 2], nested: { v: 'a' } });
      (read!.payload as { list: number[] }).list.push(5);
      expect((await s.readTail({ namespace, threadId, limit: 1 })).entries[0]!.payload).toEqual({
        list: [1, 2],
        nested: { v: 'a' },
      });
      expect((await s.getThread({ namespace, threadId }))?.metadata).toEqual({ m: { x: 1 } });
    });

    it('deletes idempotently and a deleted thread starts over at seq 0', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
      expect(await s.deleteThread({ namespace, threadId })).toBe(true);
      expect(await s.deleteThread({ namespace, threadId })).toBe(false);
      expect(await s.getThread({ namespace, threadId })).toBeNull();
      expect(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 })).toEqual([]);
      expect((await s.listThreads({ namespace })).items).toEqual([]);
      const again = await s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 0 });
      expect(seqs(again.entries)).toEqual([0]);
    });

    it('lists threads by id with an exclusive cursor and hasMore', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const names = ['b', 'a', 'B', 'é', '😀', 'ab', '_', '0'];
      for (const threadId of names) await s.appendEntries({ namespace, threadId, entries: [{}] });
      const expected = [...names].sort();
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page = await s.listThreads({ namespace, first: 3, after });
        pages++;
        seen.push(...page.items.map((t) => t.id));
        if (!page.hasMore) break;
        expect(page.items).toHaveLength(3);
        after = page.items.at(-1)!.id;
      }
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
      const one = await s.listThreads({ namespace, first: 1, after: 'a' });
      expect(one.items.map((t) => t.id)).toEqual(['ab']);
      expect(one.items[0]).toMatchObject({ rev: 1, metadata: {} });
      expect((await s.listThreads({ namespace, after: '😀' })).items).toEqual([]);
      expect((await s.listThreads({ namespace, first: 8 })).hasMore).toBe(false);
      expect((await s.listThreads({ namespace, first: 7 })).hasMore).toBe(true);
      expect((await s.listThreads({ namespace })).items).toHaveLength(Math.min(8, 50));
    });
  });
}
