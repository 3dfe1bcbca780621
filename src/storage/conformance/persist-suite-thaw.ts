import { describe, expect, it } from 'vitest';
import { CheckpointNotFound, MissingThread, RevisionConflict, ThreadMismatch, ValidationError } from '../../domain/errors.js';
import { hibernate, thaw } from '../../persist.js';
import type { Storage } from '../types.js';
import { LocalJournal, withCheckpointPointer } from './persist-helpers.js';
import { rejection, rid } from './conformance-helpers.js';

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

    it('MissingThread when the pointed-at thread was deleted and re-created, even at a rev that would match', async () => {
      const key = agent();
      const threadId = rid('t');
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 2, entries: [{}, {}] } });
      await storage().deleteThread({ namespace: key.namespace, threadId });
      await storage().appendEntries({ namespace: key.namespace, threadId, entries: [{}, {}] });
      await rejection(thaw(storage(), key), MissingThread, { code: 'MISSING_THREAD', threadId, pointerRev: 2 });
      await rejection(thaw(storage(), { ...key, allowJournalAhead: true }), MissingThread, { threadId });
      // A new hibernate points at the new life, and thaws again.
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 2, entries: [] } });
      expect((await thaw(storage(), key)).thread).toMatchObject({ id: threadId, rev: 2 });
    });

    it('ThreadMismatch when the journal is behind the pointer, even with allowJournalAhead (a pointer without life)', async () => {
      const key = agent();
      const threadId = rid('t');
      await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 3, entries: [{}, {}, {}] } });
      await storage().deleteThread({ namespace: key.namespace, threadId });
      await storage().appendEntries({ namespace: key.namespace, threadId, entries: [{}] });
      // With its life, the pointer names the deleted thread; a pointer stored before lives matches any life.
      await rejection(thaw(storage(), { ...key, allowJournalAhead: true }), MissingThread, { threadId, pointerRev: 3 });
      const { life: _life, ...lifeless } = (await storage().getCheckpoint(key))!.thread!;
      const older = withCheckpointPointer(storage(), lifeless);
      await rejection(thaw(older, { ...key, allowJournalAhead: true }), ThreadMismatch, { threadId, pointerRev: 3, storedRev: 1 });
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
          if (reads++ === 1) await storage().appendEntries({ ...t, entries: [{ id: 'b0' }, { id: 'b1' }] });
          return storage().readTail(o);
        },
      });
      const thawed = await thaw(shifting, { ...key, allowJournalAhead: true });
      expect(thawed.thread?.rev).toBe(7);
      expect(thawed.pendingEntries.map((e) => [e.seq, e.id])).toEqual([
        [2, 'a2'],
        [3, 'a3'],
        [4, 'a4'],
        [5, 'b0'],
        [6, 'b1'],
      ]);
    });

    it('validates its input', async () => {
      await rejection(thaw(storage(), { agentType: '', agentId: 'a' }), ValidationError, { field: 'agentType' });
      await rejection(thaw(storage(), { ...agent(), allowJournalAhead: 'yes' as never }), ValidationError, { field: 'allowJournalAhead' });
    });
  });

  describe('hibernate/thaw cycles', () => {
    it('a hibernate retried after its reply was lost succeeds without writing, and thaws', async () => {
      const key = agent();
      const local = new LocalJournal(rid('t'));
      local.add(2);
      await hibernate(storage(), { ...key, state: { n: 1 }, expectedRev: 0, thread: { id: local.id, rev: 2, entries: local.tail(2) } });
      local.add(3);
      const call = { ...key, state: { n: 2, deep: { a: [1] } }, version: 2, expectedRev: 1, thread: { id: local.id, rev: 5, entries: local.tail(3) } };
      const first = await hibernate(storage(), call);
      expect(first).toMatchObject({ flushed: 3, checkpoint: { rev: 2 } });
      const retry = await hibernate(storage(), call);
      expect(retry).toEqual({ flushed: 0, checkpoint: first.checkpoint });
      expect(await storage().getCheckpoint(key)).toEqual(first.checkpoint);
      expect((await storage().getThread({ namespace: key.namespace, threadId: local.id }))?.rev).toBe(5);
      await rejection(hibernate(storage(), { ...call, state: { n: 3 } }), RevisionConflict, { expectedRev: 1, actualRev: 2 });
      expect(await thaw(storage(), key)).toMatchObject({ checkpoint: first.checkpoint, thread: { rev: 5 }, pendingEntries: [] });
    });

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
        expect(result.checkpoint.thread).toEqual(local.rev === 0 ? null : { id: threadId, rev: local.rev, life: expect.any(String) });
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
