import type { EntryInput } from '../../domain/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RevisionConflict,
  ThreadDiverged,
  ThreadHistoryTruncated,
  ThreadRevRegression,
  ValidationError,
} from '../../domain/errors.js';
import { hibernate } from '../../persist.js';
import type { Storage } from '../types.js';
import { describeRetentionPersistSuite } from './persist-suite-retention.js';
import { describeThawSuite } from './persist-suite-thaw.js';
import { beforeFirstAppend, LocalJournal } from './persist-helpers.js';
import { rejection, rid, type ConformanceFactory } from './conformance-helpers.js';

/** hibernate/thaw over one adapter (docs/architecture.md). Call once per adapter. */
export function describePersistSuite(name: string, factory: ConformanceFactory): void {
  describe(`persist over ${name}`, () => {
    let opened: Awaited<ReturnType<ConformanceFactory>> | undefined;
    const storage = (): Storage => opened!.storage;
    beforeAll(async () => {
      opened = await factory({});
    });
    afterAll(async () => {
      await opened?.storage.close();
      await opened?.cleanup?.();
    });
    const agent = () => ({ namespace: rid('ns'), agentType: 'planner', agentId: rid('a') });
    const journalOf = (key: { namespace: string }, threadId: string) => ({ namespace: key.namespace, threadId });

    describe('hibernate', () => {
      it('without a thread, or with an empty one, writes a null pointer and no journal', async () => {
        const key = agent();
        const none = await hibernate(storage(), { ...key, state: { a: 1 } });
        expect(none).toMatchObject({ flushed: 0, checkpoint: { rev: 1, thread: null, state: { a: 1 }, version: 1 } });
        const threadId = rid('t');
        const empty = await hibernate(storage(), { ...key, state: {}, version: 3, thread: { id: threadId, rev: 0, entries: [] } });
        expect(empty).toMatchObject({ flushed: 0, checkpoint: { rev: 2, thread: null, version: 3 } });
        expect(await storage().getThread(journalOf(key, threadId))).toBeNull();
      });

      it('flushes the journal (with metadata on creation), then points the checkpoint at it', async () => {
        const key = agent();
        const local = new LocalJournal(rid('t'));
        local.add(3);
        const result = await hibernate(storage(), {
          ...key,
          state: { step: 3 },
          thread: { id: local.id, rev: local.rev, entries: local.tail(3), metadata: { goal: 'x' } },
        });
        expect(result.flushed).toBe(3);
        expect(result.checkpoint).toMatchObject({ rev: 1, thread: { id: local.id, rev: 3 } });
        const stored = await storage().readEntries({ ...journalOf(key, local.id), fromSeq: 0, limit: 10 });
        expect(stored.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
        expect((await storage().getThread(journalOf(key, local.id)))?.metadata).toEqual({ goal: 'x' });
        local.add(2);
        const again = await hibernate(storage(), {
          ...key,
          state: { step: 5 },
          thread: { id: local.id, rev: local.rev, entries: local.tail(4), metadata: { goal: 'ignored' } },
        });
        expect(again.flushed).toBe(2);
        expect(again.checkpoint).toMatchObject({ rev: 2, thread: { id: local.id, rev: 5 } });
        expect((await storage().getThread(journalOf(key, local.id)))?.metadata).toEqual({ goal: 'x' });
        const retry = await hibernate(storage(), { ...key, state: { step: 5 }, thread: { id: local.id, rev: 5, entries: local.tail(5) } });
        expect(retry.flushed).toBe(0);
        expect((await storage().getThread(journalOf(key, local.id)))?.rev).toBe(5);
        const nothingSent = await hibernate(storage(), { ...key, state: {}, thread: { id: local.id, rev: 5, entries: [] } });
        expect(nothingSent).toMatchObject({ flushed: 0, checkpoint: { thread: { id: local.id, rev: 5 } } });
      });

      it('ThreadRevRegression when the store is ahead; nothing written', async () => {
        const key = agent();
        const threadId = rid('t');
        await storage().appendEntries({ ...journalOf(key, threadId), entries: [{}, {}, {}, {}, {}] });
        await rejection(
          hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 3, entries: [{}, {}, {}] } }),
          ThreadRevRegression,
          { code: 'THREAD_REV_REGRESSION', threadId, storedRev: 5, localRev: 3 },
        );
        await rejection(hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 0, entries: [] } }), ThreadRevRegression, {
          storedRev: 5,
          localRev: 0,
        });
        expect(await storage().getCheckpoint(key)).toBeNull();
        expect((await storage().getThread(journalOf(key, threadId)))?.rev).toBe(5);
      });

      it('ThreadHistoryTruncated when the sent tail starts after the stored end', async () => {
        const key = agent();
        const threadId = rid('t');
        await storage().appendEntries({ ...journalOf(key, threadId), entries: [{}, {}] });
        await rejection(
          hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 5, entries: [{ id: 'x3' }, { id: 'x4' }] } }),
          ThreadHistoryTruncated,
          { code: 'THREAD_HISTORY_TRUNCATED', threadId, storedRev: 2, firstSentSeq: 3 },
        );
        await rejection(
          hibernate(storage(), { ...key, state: {}, thread: { id: rid('t'), rev: 1, entries: [] } }),
          ThreadHistoryTruncated,
          { storedRev: 0, firstSentSeq: 1 },
        );
        expect(await storage().getCheckpoint(key)).toBeNull();
        expect((await storage().getThread(journalOf(key, threadId)))?.rev).toBe(2);
        const ok = await hibernate(storage(), {
          ...key,
          state: {},
          thread: { id: threadId, rev: 5, entries: [{ id: 'x2' }, { id: 'x3' }, { id: 'x4' }] },
        });
        expect(ok.flushed).toBe(3);
      });

      it('ThreadDiverged { seq } when an overlapping sent id differs; entries without ids are trusted', async () => {
        const key = agent();
        const threadId = rid('t');
        await storage().appendEntries({ ...journalOf(key, threadId), entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
        await rejection(
          hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 4, entries: [{ id: 'b' }, { id: 'X' }, { id: 'd' }] } }),
          ThreadDiverged,
          { code: 'THREAD_DIVERGED', threadId, seq: 2 },
        );
        expect((await storage().getThread(journalOf(key, threadId)))?.rev).toBe(3);
        expect(await storage().getCheckpoint(key)).toBeNull();
        const ok = await hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 4, entries: [{}, { id: 'c' }, { id: 'd' }] } });
        expect(ok.flushed).toBe(1);
        const ids = (await storage().readEntries({ ...journalOf(key, threadId), fromSeq: 0, limit: 10 })).map((e) => e.id);
        expect(ids).toEqual(['a', 'b', 'c', 'd']);
      });

      it('ThreadDiverged when an overlapping sent entry without an id differs from the stored one in content', async () => {
        const key = agent();
        const threadId = rid('t');
        await storage().appendEntries({
          ...journalOf(key, threadId),
          entries: [{ kind: 'user', payload: { text: 'hi', n: 1 } }, { kind: 'tool', payload: { name: 'wave' }, at: '2026-01-02T03:04:05.678Z' }],
        });
        for (const [seq, sent] of [
          [0, { kind: 'assistant', payload: { text: 'hi', n: 1 } }],
          [0, { kind: 'user', payload: { text: 'bye', n: 1 } }],
          [0, { kind: 'user', payload: { text: 'hi', n: 1 }, refs: { to: 'x' } }],
          [1, { kind: 'tool', payload: { name: 'wave' }, at: '2026-01-02T03:04:05.679Z' }],
        ] as [number, EntryInput][]) {
          const entries: EntryInput[] = seq === 0 ? [sent, { kind: 'tool', payload: { name: 'wave' } }, { id: 'new' }] : [{ kind: 'user', payload: { n: 1, text: 'hi' } }, sent, { id: 'new' }];
          await rejection(hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 3, entries } }), ThreadDiverged, { threadId, seq });
        }
        expect((await storage().getThread(journalOf(key, threadId)))?.rev).toBe(2);
        expect(await storage().getCheckpoint(key)).toBeNull();
        // The same content (key order aside, `at` equal when given) is the stored entry.
        const ok = await hibernate(storage(), {
          ...key,
          state: {},
          thread: {
            id: threadId,
            rev: 3,
            entries: [{ kind: 'user', payload: { n: 1, text: 'hi' } }, { kind: 'tool', payload: { name: 'wave' }, at: '2026-01-02T03:04:05.678Z' }, { id: 'new' }],
          },
        });
        expect(ok.flushed).toBe(1);
      });

      it('a fenced, stale writer (expectedRev) fails before touching the journal', async () => {
        const key = agent();
        const local = new LocalJournal(rid('t'));
        local.add(2);
        await hibernate(storage(), { ...key, state: { by: 'A' }, expectedRev: 0, thread: { id: local.id, rev: 2, entries: local.tail(2) } });
        await hibernate(storage(), { ...key, state: { by: 'A' }, expectedRev: 1, thread: { id: local.id, rev: 2, entries: [] } });
        const stale = new LocalJournal(local.id);
        stale.add(2);
        stale.add(3, 'stale');
        await rejection(
          hibernate(storage(), { ...key, state: { by: 'B' }, expectedRev: 1, thread: { id: stale.id, rev: stale.rev, entries: stale.tail(3) } }),
          RevisionConflict,
          { code: 'REVISION_CONFLICT', expectedRev: 1, actualRev: 2 },
        );
        await rejection(
          hibernate(storage(), { ...key, state: { by: 'B' }, expectedRev: 0, thread: { id: stale.id, rev: stale.rev, entries: stale.tail(3) } }),
          RevisionConflict,
          { expectedRev: 0, actualRev: 2 },
        );
        expect((await storage().getThread(journalOf(key, local.id)))?.rev).toBe(2);
        expect(await storage().getCheckpoint(key)).toMatchObject({ rev: 2, state: { by: 'A' } });
        const fresh = agent();
        await rejection(hibernate(storage(), { ...fresh, state: {}, expectedRev: 1, thread: { id: local.id, rev: 3, entries: [{}] } }), RevisionConflict, {
          expectedRev: 1,
          actualRev: 0,
        });
        expect((await storage().getThread(journalOf(key, local.id)))?.rev).toBe(2);
      });

      it('a writer racing between the check and the final put still gets RevisionConflict (journal already flushed)', async () => {
        const key = agent();
        await storage().putCheckpoint({ ...key, state: {} });
        const threadId = rid('t');
        const racing = beforeFirstAppend(storage(), async () => {
          await storage().putCheckpoint({ ...key, state: { by: 'other' } });
        });
        await rejection(
          hibernate(racing, { ...key, state: { by: 'me' }, expectedRev: 1, thread: { id: threadId, rev: 1, entries: [{ id: 'x' }] } }),
          RevisionConflict,
          { expectedRev: 1, actualRev: 2 },
        );
        expect(await storage().getCheckpoint(key)).toMatchObject({ rev: 2, state: { by: 'other' } });
        expect((await storage().getThread(journalOf(key, threadId)))?.rev).toBe(1);
      });

      it('resolves a racing identical flush by re-reading; a racing foreign append is a conflict or divergence', async () => {
        const key = agent();
        const local = new LocalJournal(rid('t'));
        local.add(4);
        const t = journalOf(key, local.id);
        const prefix = beforeFirstAppend(storage(), async () => {
          await storage().appendEntries({ ...t, entries: local.entries.slice(0, 2), expectedRev: 0 });
        });
        const joined = await hibernate(prefix, { ...key, state: {}, thread: { id: local.id, rev: 4, entries: local.tail(4) } });
        expect(joined).toMatchObject({ flushed: 2, checkpoint: { thread: { id: local.id, rev: 4 } } });
        expect((await storage().readEntries({ ...t, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['e0', 'e1', 'e2', 'e3']);

        const other = journalOf(key, rid('t'));
        const foreign = beforeFirstAppend(storage(), async () => {
          await storage().appendEntries({ ...other, entries: [{ id: 'foreign' }] });
        });
        await rejection(
          hibernate(foreign, { ...key, state: {}, thread: { id: other.threadId, rev: 2, entries: [{ id: 'm0' }, { id: 'm1' }] } }),
          ThreadDiverged,
          { seq: 0 },
        );
        const third = journalOf(key, rid('t'));
        const anonymous = beforeFirstAppend(storage(), async () => {
          await storage().appendEntries({ ...third, entries: [{}] });
        });
        await rejection(hibernate(anonymous, { ...key, state: {}, thread: { id: third.threadId, rev: 2, entries: [{}, {}] } }), RevisionConflict, {
          expectedRev: 0,
          actualRev: 1,
        });
        expect((await storage().getThread(third))?.rev).toBe(1);
      });

      it('two identical concurrent hibernates write each entry once', async () => {
        const key = agent();
        const local = new LocalJournal(rid('t'));
        local.add(6);
        const input = { ...key, state: { s: 1 }, thread: { id: local.id, rev: 6, entries: local.tail(6) } };
        const results = await Promise.all([hibernate(storage(), input), hibernate(storage(), input), hibernate(storage(), input)]);
        expect(results.reduce((sum, r) => sum + r.flushed, 0)).toBe(6);
        const stored = await storage().readEntries({ ...journalOf(key, local.id), fromSeq: 0, limit: 100 });
        expect(stored.map((e) => e.id)).toEqual(local.entries.map((e) => e.id));
      });

      it('validates the input before reading or writing anything', async () => {
        const key = agent();
        const threadId = rid('t');
        const cases: [Record<string, unknown>, string][] = [
          [{ thread: { id: threadId, rev: -1, entries: [] } }, 'thread.rev'],
          [{ thread: { id: threadId, rev: 1.5, entries: [] } }, 'thread.rev'],
          [{ thread: { id: threadId, rev: 1, entries: [{}, {}] } }, 'thread.entries'],
          [{ thread: { id: threadId, rev: 2, entries: 'no' } }, 'thread.entries'],
          [{ thread: { id: '', rev: 1, entries: [{}] } }, 'thread.id'],
          [{ thread: { id: threadId, rev: 1, entries: [{ kind: 'bad kind' }] } }, 'thread.entries[0].kind'],
          [{ thread: { id: threadId, rev: 2, entries: [{ id: 'a' }, { id: 'a' }] } }, 'thread.entries[1].id'],
          [{ thread: { id: threadId, rev: 1, entries: [{ payload: [] }] } }, 'thread.entries[0].payload'],
          [{ thread: { id: threadId, rev: 1, entries: [{}], metadata: [] } }, 'thread.metadata'],
          [{ state: 'nope', thread: { id: threadId, rev: 1, entries: [{}] } }, 'state'],
          [{ expectedRev: -2, thread: { id: threadId, rev: 1, entries: [{}] } }, 'expectedRev'],
          [{ agentId: '', thread: { id: threadId, rev: 1, entries: [{}] } }, 'agentId'],
        ];
        for (const [override, field] of cases) {
          await rejection(hibernate(storage(), { ...key, state: {}, ...override } as never), ValidationError, { field });
        }
        await rejection(
          hibernate(storage(), { ...key, state: {}, thread: { id: threadId, rev: 3, entries: [{}, {}, {}] } }, { limits: { maxEntriesPerAppend: 2 } }),
          ValidationError,
          { field: 'thread.entries' },
        );
        expect(await storage().getThread(journalOf(key, threadId))).toBeNull();
        expect(await storage().getCheckpoint(key)).toBeNull();
      });
    });

    describeThawSuite(storage, agent);
    describeRetentionPersistSuite(storage, agent);
  });
}
