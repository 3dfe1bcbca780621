import { describe, expect, it } from 'vitest';
import { ThreadDiverged, TrimBeyondCheckpoint } from '../../domain/errors.js';
import { hibernate, thaw } from '../../persist.js';
import type { Storage } from '../types.js';
import { LocalJournal } from './persist-helpers.js';
import { rejection, rid } from './conformance-helpers.js';

type AgentKey = { namespace: string; agentType: string; agentId: string };

/** hibernate and thaw on trimmed threads and under retention policies; part of describePersistSuite. */
export function describeRetentionPersistSuite(storage: () => Storage, agent: () => AgentKey): void {
  describe('hibernate/thaw on trimmed threads', () => {
    /** An agent whose journal of `n` entries is stored and checkpointed, then trimmed to `firstSeq`. */
    async function trimmedAgent(n: number, firstSeq: number) {
      const key = agent();
      const local = new LocalJournal(rid('t'));
      local.add(n);
      await hibernate(storage(), { ...key, state: { n }, thread: { id: local.id, rev: local.rev, entries: local.tail(n) } });
      const thread = { namespace: key.namespace, threadId: local.id };
      const trimmed = await storage().trimThread({ ...thread, beforeSeq: firstSeq });
      expect(trimmed.thread).toMatchObject({ rev: n, firstSeq });
      return { key, local, thread };
    }

    it('hibernate skips sent entries below firstSeq from the comparison and still checks the stored ones', async () => {
      const { key, local, thread } = await trimmedAgent(10, 6);
      local.add(2);
      // The whole local journal, seqs 0..11: 0..5 are trimmed (not compared, even with other ids), 6..9 checked, 10..11 new.
      const sent = local.tail(12).map((e, seq) => (seq < 6 ? { ...e, id: `rewritten-${seq}` } : e));
      const result = await hibernate(storage(), { ...key, state: { n: 12 }, thread: { id: local.id, rev: 12, entries: sent } });
      expect(result).toMatchObject({ flushed: 2, checkpoint: { rev: 2, thread: { id: local.id, rev: 12 } } });
      expect(await storage().getThread(thread)).toMatchObject({ rev: 12, firstSeq: 6 });
      const stored = await storage().readEntries({ ...thread, fromSeq: 0, limit: 20 });
      expect(stored.map((e) => [e.seq, e.id])).toEqual([6, 7, 8, 9, 10, 11].map((seq) => [seq, `e${seq}`]));

      // A tail starting inside the trimmed part, with a stored entry that differs: ThreadDiverged at that seq.
      local.add(1);
      const diverging = local.tail(9).map((e, i) => (i === 4 ? { ...e, id: 'other' } : e)); // seqs 4..12, seq 8 differs
      await rejection(
        hibernate(storage(), { ...key, state: {}, thread: { id: local.id, rev: 13, entries: diverging } }),
        ThreadDiverged,
        { threadId: local.id, seq: 8 },
      );
      expect((await storage().getThread(thread))?.rev).toBe(12);
      // Sent without ids, trimmed entries are not compared either.
      const anonymous = local.tail(13).map((e, seq) => (seq < 6 ? { kind: 'unknown', payload: { lost: true } } : e));
      expect((await hibernate(storage(), { ...key, state: {}, thread: { id: local.id, rev: 13, entries: anonymous } })).flushed).toBe(1);
    });

    it('thaw with allowJournalAhead returns every pending entry of a trimmed thread; the pointer bounds the trim', async () => {
      const { key, thread } = await trimmedAgent(6, 4);
      await storage().appendEntries({ ...thread, entries: [{ id: 'p6' }, { id: 'p7' }, { id: 'p8' }] });
      await rejection(storage().trimThread({ ...thread, beforeSeq: 7 }), TrimBeyondCheckpoint, { pointerRev: 6, agentType: key.agentType, agentId: key.agentId });
      expect((await storage().trimThread({ ...thread, beforeSeq: 6 })).dropped).toBe(2);
      const thawed = await thaw(storage(), { ...key, allowJournalAhead: true });
      expect(thawed.thread).toMatchObject({ rev: 9, firstSeq: 6 });
      expect(thawed.pendingEntries.map((e) => [e.seq, e.id])).toEqual([
        [6, 'p6'],
        [7, 'p7'],
        [8, 'p8'],
      ]);
      expect(await thaw(storage(), key).catch((e: Error) => e.name)).toBe('ThreadMismatch');
    });

    it('a maxEntries policy never drops what the checkpoint still needs: thaw replays every entry after the pointer', async () => {
      const { key, local, thread } = await trimmedAgent(4, 0);
      await storage().setThreadRetention({ ...thread, retention: { maxEntries: 2 } });
      expect(await storage().getThread(thread)).toMatchObject({ firstSeq: 2 });
      // The agent crashes after writing 5 more entries, before its next checkpoint.
      await storage().appendEntries({ ...thread, entries: local.add(5) });
      expect(await storage().getThread(thread)).toMatchObject({ rev: 9, firstSeq: 4 });
      const thawed = await thaw(storage(), { ...key, allowJournalAhead: true });
      expect(thawed.pendingEntries.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
      // Once the checkpoint moves forward, the policy catches up on the next append.
      await hibernate(storage(), { ...key, state: {}, thread: { id: local.id, rev: 9, entries: local.tail(5) } });
      await storage().appendEntries({ ...thread, entries: local.add(1) });
      expect(await storage().getThread(thread)).toMatchObject({ rev: 10, firstSeq: 8 });
    });

    it('thaw reads the checkpoint again when it moved and the thread was trimmed between its two reads', async () => {
      const { key, local, thread } = await trimmedAgent(3, 0);
      const stale = await storage().getCheckpoint(key);
      local.add(3);
      await hibernate(storage(), { ...key, state: { n: 6 }, thread: { id: local.id, rev: 6, entries: local.tail(3) } });
      await storage().appendEntries({ ...thread, entries: local.add(1) });
      await storage().trimThread({ ...thread, beforeSeq: 5 });
      let reads = 0;
      // The first checkpoint read is from before the move (pointer rev 3, below firstSeq 5 now).
      const racing = new Proxy(storage(), {
        get(target, prop) {
          if (prop === 'getCheckpoint') return async (o: never) => (reads++ === 0 ? stale : target.getCheckpoint(o));
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const thawed = await thaw(racing, { ...key, allowJournalAhead: true });
      expect(reads).toBe(2);
      expect(thawed.checkpoint).toMatchObject({ rev: 2, state: { n: 6 }, thread: { rev: 6 } });
      expect(thawed.pendingEntries.map((e) => e.seq)).toEqual([6]);
    });
  });
}
