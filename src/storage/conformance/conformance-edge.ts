import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import type { EntryInput } from '../../domain/types.js';
import type { Storage } from '../types.js';
import { rejection, rid, type ConformanceContext } from './conformance-helpers.js';

const invalid = (promise: Promise<unknown>, field: string): Promise<ValidationError> =>
  rejection(promise, ValidationError, { code: 'VALIDATION_ERROR', field });

/**
 * Edge cases found by adversarial review: inputs that JSON cannot carry faithfully, loose
 * timestamps, missing options (each a ValidationError with nothing written, identical on every
 * adapter), `__proto__` keys, and inputs changed by the caller while a call is in flight.
 */
export function edgeTests(ctx: ConformanceContext): void {
  describe('edge inputs', () => {
    async function appendRejected(s: Storage, entries: unknown[], field: string, metadata?: unknown): Promise<void> {
      const namespace = rid('ns');
      const existing = rid('t');
      await s.appendEntries({ namespace, threadId: existing, entries: [{ id: 'keep' }] });
      const call = { namespace, entries: entries as EntryInput[], metadata: metadata as never };
      await invalid(s.appendEntries({ ...call, threadId: existing }), field);
      const fresh = rid('t');
      await invalid(s.appendEntries({ ...call, threadId: fresh }), field);
      expect(await s.getThread({ namespace, threadId: fresh })).toBeNull();
      expect((await s.getThread({ namespace, threadId: existing }))?.rev).toBe(1);
    }

    it('rejects payload, refs and metadata values JSON cannot store (never silently changed or dropped)', async () => {
      const s = ctx.storage();
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const bad: [string, unknown][] = [
        ['Infinity', { n: Infinity }],
        ['NaN', { deep: [{ n: NaN }] }],
        ['-Infinity (as 1e400 parses)', { n: -1e400 }],
        ['undefined member', { u: undefined }],
        ['undefined in array', { a: [1, undefined] }],
        ['function', { f: () => 1 }],
        ['symbol', { s: Symbol('x') }],
        ['bigint', { b: 1n }],
        ['Date', { d: new Date(0) }],
        ['Map', { m: new Map() }],
        ['class instance', { c: new (class Point { x = 1; })() }],
        ['cycle', cycle],
        ['nesting deeper than 256', JSON.parse(`{"a":${'['.repeat(256)}${']'.repeat(256)}}`)],
        ['nesting deep enough to overflow the stack', JSON.parse(`{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)],
      ];
      for (const [, value] of bad) {
        await appendRejected(s, [{}, { payload: value }], 'entries[1].payload');
        await appendRejected(s, [{ refs: value }], 'entries[0].refs');
        await appendRejected(s, [{}], 'metadata', value);
      }
      const error = await invalid(s.appendEntries({ threadId: rid('t'), entries: [{ payload: { a: [{ 'b c': Infinity }] } }] }), 'entries[0].payload');
      expect(error.message).toContain('a[0]["b c"] is Infinity');
      const deep = JSON.parse(`{"a":${'['.repeat(255)}${']'.repeat(255)}}`) as Record<string, never>;
      const numbers = { max: Number.MAX_VALUE, big: 2 ** 53 + 2, tiny: 5e-324, neg: -1.5 };
      const ok = await s.appendEntries({ threadId: rid('t'), entries: [{ payload: deep, refs: numbers }] });
      const [read] = await s.readEntries({ threadId: ok.thread.id, fromSeq: 0, limit: 1 });
      expect(read?.payload).toEqual(deep);
      expect(read?.refs).toEqual(numbers);
    });

    it('rejects checkpoint states JSON cannot store; nothing written', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      for (const state of [{ n: Infinity }, { f: () => 1 }, { b: 1n }, { d: new Date(0) }, { u: undefined }]) {
        const agentId = rid('a');
        await invalid(s.putCheckpoint({ namespace, agentType: 't', agentId, state: state as never }), 'state');
        expect(await s.getCheckpoint({ namespace, agentType: 't', agentId })).toBeNull();
      }
    });

    it('stores `__proto__` keys as plain keys and pollutes no prototype', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const payload = JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"x":2}}}') as Record<string, never>;
      const metadata = JSON.parse('{"__proto__":{"m":1}}') as Record<string, never>;
      const written = await s.appendEntries({ namespace, threadId, entries: [{ payload, refs: payload }], metadata });
      const [read] = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 1 });
      const head = await s.getThread({ namespace, threadId });
      for (const value of [written.entries[0]!.payload, read!.payload, read!.refs]) {
        expect(JSON.stringify(value)).toBe(JSON.stringify(payload));
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        expect(Object.keys(value)).toEqual(['__proto__', 'a']);
      }
      expect(JSON.stringify(head?.metadata)).toBe('{"__proto__":{"m":1}}');
      const state = JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, never>;
      await s.putCheckpoint({ namespace, agentType: 't', agentId: 'a', state });
      expect(JSON.stringify((await s.getCheckpoint({ namespace, agentType: 't', agentId: 'a' }))?.state)).toBe(JSON.stringify(state));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('accepts only ISO-8601 date-times with a zone for `at`, and normalizes offsets to UTC', async () => {
      const s = ctx.storage();
      for (const at of ['2020-01-01T00:00:00', '2020-01-01', '1', 'May 5 2020', '2020-02-30T00:00:00Z', '2020-01-01T24:00:00Z']) {
        await appendRejected(s, [{ at }], 'entries[0].at');
      }
      await appendRejected(s, [{ at: new Date(Number.NaN) }], 'entries[0].at');
      // Outside years 0000-9999 ISO needs a signed 6-digit year, which this check itself refuses:
      // a stored time must always be sendable again.
      await appendRejected(s, [{ at: new Date(Date.UTC(10000, 0, 1)) }], 'entries[0].at');
      await appendRejected(s, [{ at: new Date(Date.UTC(-1, 0, 1)) }], 'entries[0].at');
      await appendRejected(s, [{ at: '+010000-01-01T00:00:00.000Z' }], 'entries[0].at');
      const ok = await s.appendEntries({
        namespace: rid('ns'),
        threadId: rid('t'),
        entries: [{ at: '2020-01-01T00:00:00+05:30' }, { at: '2020-01-01t10:20:30.123456z' }, { at: new Date(Date.UTC(2021, 0, 2)) }],
      });
      expect(ok.entries.map((e) => e.at)).toEqual(['2019-12-31T18:30:00.000Z', '2020-01-01T10:20:30.123Z', '2021-01-02T00:00:00.000Z']);
    });

    it('rejects missing or non-object options of every method with a ValidationError (no TypeError)', async () => {
      const s = ctx.storage();
      const calls: [string, (options: never) => Promise<unknown>][] = [
        ['getCheckpoint', (o) => s.getCheckpoint(o)],
        ['putCheckpoint', (o) => s.putCheckpoint(o)],
        ['deleteCheckpoint', (o) => s.deleteCheckpoint(o)],
        ['listCheckpoints', (o) => s.listCheckpoints(o)],
        ['appendEntries', (o) => s.appendEntries(o)],
        ['readEntries', (o) => s.readEntries(o)],
        ['readTail', (o) => s.readTail(o)],
        ['getThread', (o) => s.getThread(o)],
        ['deleteThread', (o) => s.deleteThread(o)],
        ['listThreads', (o) => s.listThreads(o)],
      ];
      for (const [name, call] of calls) {
        for (const options of [null, undefined, 'x', 7]) {
          const error = await call(options as never).then(
            () => new Error(`${name}(${String(options)}) succeeded`),
            (e: unknown) => e,
          );
          expect(error, `${name}(${String(options)})`).toBeInstanceOf(ValidationError);
          expect(error).toMatchObject({ field: 'input' });
        }
      }
    });

    it('captures inputs when called: mutating them while the call is in flight changes neither the result nor the store', async () => {
      const s = ctx.storage();
      const namespace = rid('ns');
      const threadId = rid('t');
      const payload = { v: 'sent', list: [1] };
      const metadata = { m: 'sent' };
      const busy = s.appendEntries({ namespace, threadId, entries: [{ id: 'first' }], metadata });
      const pending = s.appendEntries({ namespace, threadId, entries: [{ id: 'e', payload }] });
      payload.v = 'mutated';
      payload.list.push(2);
      metadata.m = 'mutated';
      await busy;
      const result = await pending;
      expect(result.entries[0]!.payload).toEqual({ v: 'sent', list: [1] });
      const stored = await s.readEntries({ namespace, threadId, fromSeq: 0, limit: 2 });
      expect(stored.find((e) => e.id === 'e')?.payload).toEqual({ v: 'sent', list: [1] });
      expect((await s.getThread({ namespace, threadId }))?.metadata).toEqual({ m: 'sent' });

      const state = { s: 'sent' };
      const key = { namespace, agentType: 't', agentId: rid('a') };
      const put = s.putCheckpoint({ ...key, state, thread: { id: threadId, rev: 2 } });
      state.s = 'mutated';
      expect((await put).state).toEqual({ s: 'sent' });
      expect((await s.getCheckpoint(key))?.state).toEqual({ s: 'sent' });
    });
  });
}
