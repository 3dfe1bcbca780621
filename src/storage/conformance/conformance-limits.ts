import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import type { EntryInput } from '../../domain/types.js';
import type { Storage } from '../types.js';
import { rejection, rid, SMALL_LIMITS, type ConformanceContext } from './conformance-helpers.js';

const invalid = (promise: Promise<unknown>, field: string): Promise<ValidationError> =>
  rejection(promise, ValidationError, { code: 'VALIDATION_ERROR', field });

/** Every input rule and limit: ValidationError naming the field, nothing written. */
export function limitTests(ctx: ConformanceContext): void {
  describe('validation and limits', () => {
    async function appendRejected(s: Storage, entries: unknown[], field: string, extra: object = {}): Promise<void> {
      const namespace = rid('ns');
      const existing = rid('t');
      await s.appendEntries({ namespace, threadId: existing, entries: [{ id: 'keep' }] });
      const fresh = rid('t');
      const call = { namespace, entries: entries as EntryInput[], ...extra };
      await invalid(s.appendEntries({ ...call, threadId: existing }), field);
      await invalid(s.appendEntries({ ...call, threadId: fresh }), field);
      expect(await s.getThread({ namespace, threadId: fresh })).toBeNull();
      expect((await s.getThread({ namespace, threadId: existing }))?.rev).toBe(1);
      expect((await s.listThreads({ namespace })).items).toHaveLength(1);
    }

    it('rejects too many entries, and none', async () => {
      const max = SMALL_LIMITS.maxEntriesPerAppend!;
      await appendRejected(ctx.small(), Array.from({ length: max + 1 }, () => ({})), 'entries');
      await appendRejected(ctx.small(), [], 'entries');
      const ok = await ctx.small().appendEntries({ namespace: rid('ns'), threadId: rid('t'), entries: Array.from({ length: max }, () => ({})) });
      expect(ok.thread.rev).toBe(max);
    });

    it('rejects an entry over the size limit (one bad entry fails the whole call)', async () => {
      const big = 'x'.repeat(SMALL_LIMITS.maxEntryBytes!);
      await appendRejected(ctx.small(), [{}, { payload: { big } }], 'entries[1].payload');
      const half = 'y'.repeat(SMALL_LIMITS.maxEntryBytes! / 2);
      await appendRejected(ctx.small(), [{ payload: { half }, refs: { half } }], 'entries[0]');
    });

    it('rejects non-object payloads and refs, bad times and bad kinds', async () => {
      const s = ctx.small();
      await appendRejected(s, [{ payload: [1, 2] }], 'entries[0].payload');
      await appendRejected(s, [{ payload: 'text' }], 'entries[0].payload');
      await appendRejected(s, [{ payload: 42 }], 'entries[0].payload');
      await appendRejected(s, [{ refs: ['r'] }], 'entries[0].refs');
      await appendRejected(s, [{}, 'not an entry'], 'entries[1]');
      await appendRejected(s, [{ at: 'yesterday' }], 'entries[0].at');
      await appendRejected(s, [{ kind: 'has space' }], 'entries[0].kind');
      await appendRejected(s, [{ kind: 'k'.repeat(SMALL_LIMITS.maxKindLength! + 1) }], 'entries[0].kind');
      await appendRejected(s, [{ kind: '' }], 'entries[0].kind');
      await appendRejected(s, [{ kind: 'ünï' }], 'entries[0].kind');
    });

    it('rejects bad ids: empty, too long, control characters, lone surrogates, duplicates in one call', async () => {
      const s = ctx.small();
      const long = 'i'.repeat(SMALL_LIMITS.maxIdLength! + 1);
      for (const id of ['', long, 'a\nb', 'tab\there', 'nul\u0000', 'del\u007f', 'c1\u0085', '\ud800']) {
        await appendRejected(s, [{ id }], 'entries[0].id');
        await invalid(s.appendEntries({ namespace: rid('ns'), threadId: id, entries: [{}] }), 'threadId');
        await invalid(s.appendEntries({ namespace: id, threadId: rid('t'), entries: [{}] }), 'namespace');
        await invalid(s.putCheckpoint({ namespace: rid('ns'), agentType: id, agentId: 'a', state: {} }), 'agentType');
        await invalid(s.putCheckpoint({ namespace: rid('ns'), agentType: 'a', agentId: id, state: {} }), 'agentId');
        await invalid(s.getThread({ threadId: id }), 'threadId');
        await invalid(s.getCheckpoint({ agentType: 'a', agentId: id }), 'agentId');
        await invalid(s.deleteThread({ threadId: id }), 'threadId');
        await invalid(s.deleteCheckpoint({ agentType: id, agentId: 'a' }), 'agentType');
      }
      await appendRejected(s, [{ id: 'same' }, { id: 'other' }, { id: 'same' }], 'entries[2].id');
      await appendRejected(s, [{ id: 7 }], 'entries[0].id');
      const exact = 'e'.repeat(SMALL_LIMITS.maxIdLength!);
      expect((await s.appendEntries({ namespace: rid('ns'), threadId: exact, entries: [{ id: exact }] })).thread.id).toBe(exact);
    });

    it('rejects bad expectedRev values and bad metadata', async () => {
      const s = ctx.small();
      for (const expectedRev of [-1, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
        await appendRejected(s, [{}], 'expectedRev', { expectedRev });
        const key = { namespace: rid('ns'), agentType: 'p', agentId: rid('a') };
        await invalid(s.putCheckpoint({ ...key, state: {}, expectedRev: expectedRev as number }), 'expectedRev');
        expect(await s.getCheckpoint(key)).toBeNull();
      }
      await appendRejected(s, [{}], 'metadata', { metadata: [1] });
      await appendRejected(s, [{}], 'metadata', { metadata: { m: 'm'.repeat(SMALL_LIMITS.maxMetadataBytes!) } });
    });

    it('rejects checkpoint states that are too large or not objects, bad versions and bad pointers', async () => {
      const s = ctx.small();
      const namespace = rid('ns');
      const key = { namespace, agentType: 'p', agentId: rid('a') };
      const cases: [Record<string, unknown>, string][] = [
        [{ state: { big: 's'.repeat(SMALL_LIMITS.maxStateBytes!) } }, 'state'],
        [{ state: [1] }, 'state'],
        [{ state: null }, 'state'],
        [{ state: {}, version: 1.5 }, 'version'],
        [{ state: {}, version: -1 }, 'version'],
        [{ state: {}, thread: { id: '', rev: 1 } }, 'thread.id'],
        [{ state: {}, thread: { id: 't', rev: -1 } }, 'thread.rev'],
        [{ state: {}, thread: { id: 't', rev: 0 } }, 'thread.rev'],
      ];
      for (const [input, field] of cases) {
        await invalid(s.putCheckpoint({ ...key, ...(input as { state: Record<string, never> }) }), field);
      }
      expect(await s.getCheckpoint(key)).toBeNull();
      await s.putCheckpoint({ ...key, state: { ok: true } });
      await invalid(s.putCheckpoint({ ...key, state: { big: 's'.repeat(SMALL_LIMITS.maxStateBytes!) } }), 'state');
      expect(await s.getCheckpoint(key)).toMatchObject({ rev: 1, state: { ok: true } });
    });

    it('rejects bad page sizes, cursors and read ranges', async () => {
      const s = ctx.small();
      const namespace = rid('ns');
      const threadId = rid('t');
      await s.appendEntries({ namespace, threadId, entries: [{}] });
      for (const first of [0, -1, 1.5, SMALL_LIMITS.maxPageSize! + 1]) {
        await invalid(s.listThreads({ namespace, first }), 'first');
        await invalid(s.listCheckpoints({ namespace, first }), 'first');
      }
      expect((await s.listThreads({ namespace, first: SMALL_LIMITS.maxPageSize! })).items).toHaveLength(1);
      await invalid(s.listThreads({ namespace, after: '' }), 'after');
      await invalid(s.listCheckpoints({ namespace, agentType: '' }), 'agentType');
      await invalid(s.listCheckpoints({ namespace, after: { agentType: 'a', agentId: '' } }), 'after.agentId');
      await invalid(s.readEntries({ namespace, threadId, fromSeq: -1, limit: 1 }), 'fromSeq');
      await invalid(s.readEntries({ namespace, threadId, fromSeq: 0.5, limit: 1 }), 'fromSeq');
      await invalid(s.readEntries({ namespace, threadId, fromSeq: 0, limit: -1 }), 'limit');
      await invalid(s.readTail({ namespace, threadId, limit: 1.5 }), 'limit');
      expect(await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 0 })).toEqual([]);
    });

    it('accepts an entry just under the default 1 MiB limit and rejects one just over it', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const envelope = JSON.stringify({ id: 'big', at: new Date(0).toISOString(), kind: 'note', payload: { p: '' }, refs: {} }).length;
      const fits = 'a'.repeat(1024 * 1024 - envelope);
      const ok = await s.appendEntries({ namespace, threadId, entries: [{ id: 'big', at: new Date(0), payload: { p: fits } }] });
      expect(ok.thread.rev).toBe(1);
      const [read] = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1 });
      expect((read!.payload.p as string).length).toBe(fits.length);
      await invalid(
        s.appendEntries({ namespace, threadId, entries: [{ id: 'big2', at: new Date(0), payload: { p: `${fits}bb` } }] }),
        'entries[0]',
      );
      expect((await s.getThread({ namespace, threadId }))?.rev).toBe(1);
    });
  });
}
