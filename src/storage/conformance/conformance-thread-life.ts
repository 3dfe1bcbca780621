import { describe, expect, it } from 'vitest';
import { InvalidThreadPointer, ValidationError } from '../../domain/errors.js';
import { rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/**
 * Thread lives: the store gives a thread an opaque `life` when it is created (also after a
 * delete) and keeps it for that life; a checkpoint's pointer records the life it was checked
 * against, and a caller may name the life it expects.
 */
export function threadLifeTests(ctx: ConformanceContext): void {
  describe('thread life', () => {
    it('is assigned on creation, kept by every read and append, and new after delete and re-create', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const created = await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }] });
      const life = created.thread.life;
      expect(typeof life).toBe('string');
      expect(life.length).toBeGreaterThan(0);
      expect((await s.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 1 })).thread.life).toBe(life);
      expect((await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }], expectedRev: 0 })).thread.life).toBe(life);
      expect((await s.getThread({ namespace, threadId }))?.life).toBe(life);
      expect((await s.readTail({ namespace, threadId, limit: 1 })).thread?.life).toBe(life);
      expect((await s.listThreads({ namespace })).items.map((t) => t.life)).toEqual([life]);
      expect(await s.deleteThread({ namespace, threadId })).toBe(true);
      const recreated = await s.appendEntries({ namespace, threadId, entries: [{ id: 'a' }] });
      expect(recreated.thread.life).not.toBe(life);
      expect((await s.getThread({ namespace, threadId }))?.life).toBe(recreated.thread.life);
      const other = await s.appendEntries({ namespace, threadId: rid('t'), entries: [{}] });
      expect(other.thread.life).not.toBe(recreated.thread.life);
    });

    it('a put stores the thread life in its pointer and checks a life the caller names', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      const { thread } = await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
      const saved = await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 2 } });
      expect(saved.thread).toEqual({ id: threadId, rev: 2, life: thread.life });
      expect((await s.getCheckpoint(key))?.thread).toEqual({ id: threadId, rev: 2, life: thread.life });
      expect((await s.listCheckpoints({ namespace })).items[0]?.thread).toEqual({ id: threadId, rev: 2, life: thread.life });
      const named = await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1, life: thread.life } });
      expect(named.thread).toEqual({ id: threadId, rev: 1, life: thread.life });
      await s.deleteThread({ namespace, threadId });
      const again = await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1, life: thread.life } }), InvalidThreadPointer, {
        threadId,
        pointerRev: 1,
        storedRev: 3,
      });
      await rejection(s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1, life: '' } }), ValidationError, {
        field: 'thread.life',
      });
      expect((await s.getCheckpoint(key))?.rev).toBe(2);
      const moved = await s.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 3, life: again.thread.life } });
      expect(moved.thread).toEqual({ id: threadId, rev: 3, life: again.thread.life });
    });
  });
}
