import { describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../domain/errors.js';
import { EventLog, rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/** Namespaces, the change feed, ping and close. */
export function isolationTests(ctx: ConformanceContext): void {
  describe('namespaces', () => {
    it('keep threads and checkpoints fully apart', async () => {
      const s = ctx.storage();
      const [a, b] = [rid('ns'), rid('ns')];
      const threadId = rid('t');
      const key = { agentType: 'p', agentId: rid('a') };
      await s.appendEntries({ namespace: a, threadId, entries: [{ id: 'x' }, { id: 'y' }], metadata: { ns: 'a' } });
      await s.putCheckpoint({ namespace: a, ...key, state: { ns: 'a' }, thread: { id: threadId, rev: 2 } });
      expect(await s.getThread({ namespace: b, threadId })).toBeNull();
      expect(await s.readEntries({ namespace: b, threadId, fromSeq: 0, limit: 10 })).toEqual([]);
      expect(await s.getCheckpoint({ namespace: b, ...key })).toBeNull();
      expect((await s.listThreads({ namespace: b })).items).toEqual([]);
      expect((await s.listCheckpoints({ namespace: b })).items).toEqual([]);
      const inB = await s.appendEntries({ namespace: b, threadId, entries: [{ id: 'x' }], expectedRev: 0, metadata: { ns: 'b' } });
      expect(inB.replayed).toBe(false);
      expect(inB.thread).toMatchObject({ rev: 1, metadata: { ns: 'b' } });
      expect(await s.deleteThread({ namespace: b, threadId })).toBe(true);
      expect(await s.deleteCheckpoint({ namespace: b, ...key })).toBe(false);
      expect(await s.getThread({ namespace: a, threadId })).toMatchObject({ rev: 2, metadata: { ns: 'a' } });
      expect(await s.getCheckpoint({ namespace: a, ...key })).toMatchObject({ rev: 1, state: { ns: 'a' } });
    });

    it('default to "default"', async () => {
      const s = ctx.storage();
      const threadId = rid('t');
      await s.appendEntries({ threadId, entries: [{}] });
      expect(await s.getThread({ namespace: 'default', threadId })).toMatchObject({ rev: 1 });
      expect(await s.deleteThread({ namespace: 'default', threadId })).toBe(true);
    });
  });

  describe('change feed', () => {
    it('subscribeThread receives appends with the new rev and the deletion', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const log = new EventLog();
      const unsubscribe = await s.changes.subscribeThread(namespace, threadId, log.listener);
      try {
        await s.appendEntries({ namespace, threadId, entries: [{}, {}] });
        expect(await log.waitFor((e) => e.type === 'thread-appended' && e.rev >= 2)).toEqual({
          type: 'thread-appended',
          namespace,
          threadId,
          rev: 2,
        });
        await s.appendEntries({ namespace, threadId, entries: [{}] });
        await log.waitFor((e) => e.type === 'thread-appended' && e.rev === 3);
        await s.deleteThread({ namespace, threadId });
        expect(await log.waitFor((e) => e.type === 'thread-deleted')).toEqual({ type: 'thread-deleted', namespace, threadId });
        for (const e of log.events) expect(e).toMatchObject({ namespace, threadId });
      } finally {
        await unsubscribe();
      }
    });

    it('delivers nothing from other threads or namespaces, and nothing after unsubscribe', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const stopped = new EventLog();
      const active = new EventLog();
      const stop = await s.changes.subscribeThread(namespace, threadId, stopped.listener);
      const keep = await s.changes.subscribeThread(namespace, threadId, active.listener);
      try {
        await s.appendEntries({ namespace, threadId, entries: [{}] });
        await stopped.waitFor((e) => e.type === 'thread-appended' && e.rev === 1);
        await stop();
        await stop();
        await s.appendEntries({ namespace: rid('ns'), threadId, entries: [{}, {}, {}, {}] });
        await s.appendEntries({ namespace, threadId: rid('t'), entries: [{}, {}, {}, {}, {}] });
        await s.appendEntries({ namespace, threadId, entries: [{}] });
        await active.waitFor((e) => e.type === 'thread-appended' && e.rev === 2);
        expect(stopped.events).toEqual([{ type: 'thread-appended', namespace, threadId, rev: 1 }]);
        expect(active.events.map((e) => (e.type === 'thread-appended' ? e.rev : -1))).toEqual([1, 2]);
      } finally {
        await keep();
        await stop();
      }
    });

    it('subscribeCheckpoints receives saves and deletes of its namespace only', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const agentId = rid('a');
      const log = new EventLog();
      const unsubscribe = await s.changes.subscribeCheckpoints(namespace, log.listener);
      try {
        await s.putCheckpoint({ namespace: rid('ns'), agentType: 'p', agentId, state: {} });
        await s.putCheckpoint({ namespace, agentType: 'p', agentId, state: {} });
        await s.putCheckpoint({ namespace, agentType: 'p', agentId, state: {} });
        expect(await log.waitFor((e) => e.type === 'checkpoint-saved' && e.rev === 2)).toEqual({
          type: 'checkpoint-saved',
          namespace,
          agentType: 'p',
          agentId,
          rev: 2,
        });
        await s.deleteCheckpoint({ namespace, agentType: 'p', agentId });
        expect(await log.waitFor((e) => e.type === 'checkpoint-deleted')).toEqual({
          type: 'checkpoint-deleted',
          namespace,
          agentType: 'p',
          agentId,
        });
        for (const e of log.events) expect('namespace' in e && e.namespace).toBe(namespace);
      } finally {
        await unsubscribe();
      }
      await s.putCheckpoint({ namespace, agentType: 'p', agentId, state: {} });
      const probe = new EventLog();
      const stopProbe = await s.changes.subscribeCheckpoints(namespace, probe.listener);
      try {
        await s.putCheckpoint({ namespace, agentType: 'p', agentId, state: {} });
        await probe.waitFor((e) => e.type === 'checkpoint-saved' && e.rev === 2);
        expect(log.events.filter((e) => e.type === 'checkpoint-saved' && e.rev === 1 && e.namespace === namespace)).toHaveLength(1);
        expect(log.events.at(-1)?.type).toBe('checkpoint-deleted');
      } finally {
        await stopProbe();
      }
    });
  });

  describe('lifecycle', () => {
    it('pings while open; close is idempotent and later calls throw StorageUnavailable', async () => {
      const { storage, cleanup } = await ctx.factory({});
      try {
        await storage.ping();
        await storage.appendEntries({ threadId: rid('t'), namespace: rid('ns'), entries: [{}] });
        await storage.close();
        await storage.close();
        await rejection(storage.ping(), StorageUnavailable, { code: 'STORAGE_UNAVAILABLE' });
        await rejection(storage.appendEntries({ threadId: rid('t'), entries: [{}] }), StorageUnavailable);
        await rejection(storage.getThread({ threadId: rid('t') }), StorageUnavailable);
        await rejection(storage.getCheckpoint({ agentType: 'a', agentId: 'b' }), StorageUnavailable);
        await rejection(storage.listThreads({}), StorageUnavailable);
      } finally {
        await storage.close();
        await cleanup?.();
      }
    });
  });
}
