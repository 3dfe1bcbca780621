import { describe, expect, it } from 'vitest';
import { RevisionConflict } from '../../domain/errors.js';
import { EventLog, rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/**
 * Checkpoint replay: a put with `expectedRev: n` whose checkpoint is already at rev n + 1 with
 * the same state, version and pointer is a retry whose reply was lost. It succeeds with the
 * stored checkpoint and writes nothing (no rev, no updatedAt, no change event).
 */
export function checkpointReplayTests(ctx: ConformanceContext): void {
  describe('checkpoint replay', () => {
    it('a retried put returns the stored checkpoint, writes nothing and publishes nothing', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      const log = new EventLog();
      const stop = await s.changes.subscribeCheckpoints(namespace, log.listener);
      try {
        await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
        const put = { ...key, state: { a: 1, b: [1, { c: null }] }, version: 3, thread: { id: threadId, rev: 2 }, expectedRev: 0 };
        const first = await s.putCheckpoint(put);
        expect(first.rev).toBe(1);
        const again = await s.putCheckpoint({ ...put, state: { b: [1, { c: null }], a: 1 } });
        expect(again).toEqual(first);
        expect(await s.getCheckpoint(key)).toEqual(first);
        const next = await s.putCheckpoint({ ...put, state: { a: 2 }, expectedRev: 1 });
        expect(next.rev).toBe(2);
        expect(await s.putCheckpoint({ ...put, state: { a: 2 }, expectedRev: 1 })).toEqual(next);
        const third = await s.putCheckpoint({ ...key, state: {}, expectedRev: 2 });
        await log.waitFor((e) => e.type === 'checkpoint-saved' && e.rev === third.rev);
        const revs = log.events.map((e) => (e.type === 'checkpoint-saved' ? e.rev : e.type));
        expect(revs).toEqual([1, 2, 3]);
      } finally {
        await stop();
      }
    });

    it('anything that differs (state, version, pointer, rev distance) is still a RevisionConflict', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      await s.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      const put = { ...key, state: { a: 1 }, version: 2, thread: { id: threadId, rev: 2 } };
      await s.putCheckpoint(put);
      const stored = await s.putCheckpoint({ ...put, expectedRev: 1 });
      const conflict = { expectedRev: 1, actualRev: 2 };
      await rejection(s.putCheckpoint({ ...put, state: { a: 2 }, expectedRev: 1 }), RevisionConflict, conflict);
      await rejection(s.putCheckpoint({ ...put, state: { a: 1, b: 1 }, expectedRev: 1 }), RevisionConflict, conflict);
      await rejection(s.putCheckpoint({ ...put, version: 3, expectedRev: 1 }), RevisionConflict, conflict);
      await rejection(s.putCheckpoint({ ...put, thread: { id: threadId, rev: 3 }, expectedRev: 1 }), RevisionConflict, conflict);
      await rejection(s.putCheckpoint({ ...put, thread: null, expectedRev: 1 }), RevisionConflict, conflict);
      await rejection(s.putCheckpoint({ ...put, expectedRev: 0 }), RevisionConflict, { expectedRev: 0, actualRev: 2 });
      await rejection(s.putCheckpoint({ ...put, expectedRev: 3 }), RevisionConflict, { expectedRev: 3, actualRev: 2 });
      expect(await s.getCheckpoint(key)).toEqual(stored);
    });

    it('a retry of an unconditional put (no expectedRev) writes again', async () => {
      const s = ctx.storage();
      const key = { namespace: rid('ns'), agentType: 'p', agentId: rid('a') };
      await s.putCheckpoint({ ...key, state: { a: 1 } });
      expect((await s.putCheckpoint({ ...key, state: { a: 1 } })).rev).toBe(2);
    });
  });
}
