import { describe, expect, it } from 'vitest';
import { CheckpointNotFound, MissingThread, ThreadMismatch, ValidationError } from '../src/domain/errors.js';
import { hibernate, thaw } from '../src/persist.js';
import type { Storage } from '../src/storage/types.js';
import { LocalJournal } from './persist-helpers.js';
import { rejection, rid } from './storage/conformance-helpers.js';

type AgentKey = { namespace: string; agentType: string; agentId: string };

/** thaw outcomes and hibernate/thaw cycles; part of describePersistSuite. */
export function describeThawSuite(storage: () => Storage, agent: () => AgentKey): void {
  describe('thaw', () => {
    it('CheckpointNotFound when there is no checkpoint (never a fresh agent)', async () => {
      const key = agent();
      await rejection(thaw(storage(), key), CheckpointNotFound, {
        code: 'CHECKPOINT_NOT_FOUND',
        agentType: key.agentType,
        agentId: key.agentId,
      });
      await storage().putCheckpoint({ ...key, namespace: rid('ns'), state: {} });
      await rejection(thaw(storage(), key), CheckpointNotFound);
    });

    it('a null pointer thaws with no thread', async () => {
      const key = agent();
      await hibernate(storage(), { ...key, state: { s: 1 } });
      expect(await thaw(storage(), key)).toMatchObject({ checkpoint: { state: { s: 1 }, thread: null }, thread: null, pendingEntries: [] });
    });

    it('returns the checkpoint and the thread head when they agree', async () => {
      const key = agent();
      const local = new LocalJournal(rid('t'));
      local.add(3);
      const { checkpoint } = await hibernate(storage(), { ...key, state: { s: 2 }, thread: { id: local.id, rev: 3, entries: local.tail(3), metadata: { m: 1 } } });
      const thawed = await thaw(storage(), { ...key, allowJournalAhead: true });
      expect(thawed.checkpoint).toEqual(checkpoint);
      expect(thawed.thread).toMatchObject({ id: local.id, rev: 3, metadata: { m: 1 } });
      expect(thawed.pendingEntries).toEqual([]);
    });

    it('MissingThread when the pointed-at thread was deleted', async () => {
      const key = agent();
      const threadId = rid('t');
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 2, entries: [{}, {}] } });
      await storage().deleteThread({ namespace: key.namespace, threadId });
      await rejection(thaw(storage(), { ...key, allowJournalAhead: true }), MissingThread, { code: 'MISSING_THREAD', threadId, pointerRev: 2 });
    });

    it('ThreadMismatch when the journal is behind the pointer, even with allowJournalAhead', async () => {
      const key = agent();
      const threadId = rid('t');
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 3, entries: [{}, {}, {}] } });
      await storage().deleteThread({ namespace: key.namespace, threadId });
      const { thread } = await storage().appendEntries({ namespace: key.namespace, threadId, entries: [{}] });
      // An adapter that tracks thread lives knows the re-created thread is another one.
      if (hasLife(thread)) await rejection(thaw(storage(), { ...key, allowJournalAhead: true }), MissingThread, { threadId, pointerRev: 3 });
      else await rejection(thaw(storage(), { ...key, allowJournalAhead: true }), ThreadMismatch, { threadId, pointerRev: 3, storedRev: 1 });
    });

    it('a crash between flush and checkpoint: ThreadMismatch, or pendingEntries with allowJournalAhead', async () => {
      const key = agent();
      const local = new LocalJournal(rid('t'));
      local.add(2);
      await hibernate(storage(), { ...key, state: { step: 2 }, thread: { id: local.id, rev: 2, entries: local.tail(2) } });
      local.add(3);
      await storage().appendEntries({ namespace: key.namespace, threadId: local.id, entries: local.tail(3), expectedRev: 2 });
      await rejection(thaw(storage(), key), ThreadMismatch, { code: 'THREAD_MISMATCH', threadId: local.id, pointerRev: 2, storedRev: 5 });
      await rejection(thaw(storage(), { ...key, allowJournalAhead: false }), ThreadMismatch);
      const ahead = await thaw(storage(), { ...key, allowJournalAhead: true });
      expect(ahead.checkpoint).toMatchObject({ state: { step: 2 }, thread: { id: local.id, rev: 2 } });
      expect(ahead.thread?.rev).toBe(5);
      expect(ahead.pendingEntries.map((e) => [e.seq, e.id])).toEqual([
        [2, 'e2'],
        [3, 'e3'],
        [4, 'e4'],
      ]);
      await rejection(thaw(storage(), { ...key, allowJournalAhead: true }, { maxPendingEntries: 2 }), ThreadMismatch, { storedRev: 5 });
      const redo = await hibernate(storage(), { ...key, state: { step: 5 }, thread: { id: local.id, rev: 5, entries: local.tail(5) } });
      expect(redo).toMatchObject({ flushed: 0, checkpoint: { thread: { rev: 5 } } });
      expect(await thaw(storage(), key)).toMatchObject({ thread: { rev: 5 }, pendingEntries: [] });
    });

    it('pendingEntries always start at the pointer, even when the journal changes between reads', async () => {
      const key = agent();
      const threadId = rid('t');
      const t = { namespace: key.namespace, threadId };
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 2, entries: [{ id: 'a0' }, { id: 'a1' }] } });
      await storage().appendEntries({ ...t, entries: [{ id: 'a2' }, { id: 'a3' }, { id: 'a4' }] });
      let reads = 0;
      const shifting: Storage = Object.assign(Object.create(null), {
        ...Object.fromEntries(
          (['getCheckpoint', 'getThread', 'readEntries'] as const).map((m) => [m, (o: never) => storage()[m](o)]),
        ),
        readTail: async (o: Parameters<Storage['readTail']>[0]) => {
          if (reads++ === 1) {
            await storage().deleteThread(t);
            await storage().appendEntries({ ...t, entries: [{ id: 'b0' }, { id: 'b1' }, { id: 'b2' }, { id: 'b3' }] });
          }
          return storage().readTail(o);
        },
      });
      if (hasLife(await storage().getThread(t))) {
        // The thread was deleted and created again between the reads: another life.
        await rejection(thaw(shifting, { ...key, allowJournalAhead: true }), MissingThread, { threadId, pointerRev: 2 });
        return;
      }
      const thawed = await thaw(shifting, { ...key, allowJournalAhead: true });
      expect(thawed.thread?.rev).toBe(4);
      expect(thawed.pendingEntries.map((e) => [e.seq, e.id])).toEqual([
        [2, 'b2'],
        [3, 'b3'],
      ]);
    });

    it('validates its input', async () => {
      await rejection(thaw(storage(), { agentType: '', agentId: 'a' }), ValidationError, { field: 'agentType' });
      await rejection(thaw(storage(), { ...agent(), allowJournalAhead: 'yes' as never }), ValidationError, { field: 'allowJournalAhead' });
    });
  });

  describe('hibernate/thaw cycles', () => {
    it('20 cycles of thaw, new entries, hibernate keep every entry and always thaw cleanly', async () => {
      const key = agent();
      const threadId = rid('t');
      const sizes = [3, 1, 0, 7, 2, 5, 1, 1, 0, 4, 9, 2, 3, 1, 6, 2, 0, 1, 8, 3];
      let expectedRev = 0;
      let checkpointRev = 0;
      const allIds: string[] = [];
      for (const [cycle, size] of sizes.entries()) {
        const local = new LocalJournal(threadId);
        if (cycle > 0) {
          const thawed = await thaw(storage(), key);
          expect(thawed.checkpoint.state).toEqual({ cycle: cycle - 1 });
          const rev = thawed.thread?.rev ?? 0;
          expect(rev).toBe(expectedRev);
          if (rev > 0) local.load(await storage().readEntries({ namespace: key.namespace, threadId, fromSeq: 0, limit: rev }));
          expect(local.rev).toBe(expectedRev);
        }
        const added = local.add(size, `c${cycle}-`);
        allIds.push(...added.map((e) => e.id!));
        const overlap = cycle % 3 === 0 ? local.rev : Math.min(local.rev, size + (cycle % 2));
        const result = await hibernate(storage(), {
          ...key,
          state: { cycle },
          expectedRev: checkpointRev,
          thread: { id: threadId, rev: local.rev, entries: local.tail(overlap) },
        });
        expect(result.flushed).toBe(size);
        checkpointRev = result.checkpoint.rev;
        expectedRev = local.rev;
        expect(result.checkpoint.thread).toEqual(local.rev === 0 ? null : expect.objectContaining({ id: threadId, rev: local.rev }));
      }
      const final = await thaw(storage(), key);
      expect(final.thread?.rev).toBe(allIds.length);
      expect(final.checkpoint.rev).toBe(20);
      const stored = await storage().readEntries({ namespace: key.namespace, threadId, fromSeq: 0, limit: 1000 });
      expect(stored.map((e) => e.id)).toEqual(allIds);
      expect(stored.map((e) => e.seq)).toEqual(allIds.map((_, i) => i));
    });
  });
}

/** True for heads of adapters that track thread lives (each creation of a thread is a new life). */
function hasLife(thread: object | null): boolean {
  return typeof (thread as { life?: unknown } | null)?.life === 'string';
}
