import { describe, expect, it } from 'vitest';
import { assignSeqs, checkExpectedRev, isReplayOf, prepareAppend } from '../../src/domain/append.js';
import { RevisionConflict, ValidationError } from '../../src/domain/errors.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';

const limits = DEFAULT_LIMITS;
const now = new Date('2026-03-04T05:06:07.089Z');

describe('prepareAppend', () => {
  it('fills defaults and records whether every id came from the caller', () => {
    const mixed = prepareAppend({ threadId: 't', entries: [{ id: 'a' }, {}] }, limits, now);
    expect(mixed).toMatchObject({ namespace: 'default', threadId: 't', idsFromCaller: false, expectedRev: undefined, metadata: {} });
    expect(mixed.entries[0]).toEqual({ id: 'a', at: now.toISOString(), kind: 'note', payload: {}, refs: {} });
    expect(mixed.entries[1]!.id).not.toBe('a');
    const named = prepareAppend({ namespace: 'n', threadId: 't', entries: [{ id: 'a' }], expectedRev: null, metadata: null }, limits, now);
    expect(named).toMatchObject({ namespace: 'n', idsFromCaller: true, expectedRev: undefined, metadata: {} });
  });

  it('names the first bad field', () => {
    const field = (request: Parameters<typeof prepareAppend>[0], l = limits): string | null => {
      try {
        prepareAppend(request, l, now);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
      return null;
    };
    expect(field({ threadId: 't', entries: [] })).toBe('entries');
    expect(field({ threadId: 't', entries: null as never })).toBe('entries');
    expect(field({ threadId: '', entries: [{}] })).toBe('threadId');
    expect(field({ namespace: '', threadId: 't', entries: [{}] })).toBe('namespace');
    expect(field({ threadId: 't', entries: [{}], expectedRev: -1 })).toBe('expectedRev');
    expect(field({ threadId: 't', entries: [{}], metadata: [] as never })).toBe('metadata');
    expect(field({ threadId: 't', entries: [{}, null as never] })).toBe('entries[1]');
    expect(field({ threadId: 't', entries: [{ id: 'a' }, { id: 'a' }] })).toBe('entries[1].id');
    expect(field({ threadId: 't', entries: [{ kind: 'a b' }] })).toBe('entries[0].kind');
    expect(field({ threadId: 't', entries: [{ at: 'x' }] })).toBe('entries[0].at');
    expect(field({ threadId: 't', entries: [{}, {}] }, { ...limits, maxEntriesPerAppend: 1 })).toBe('entries');
    expect(field({ threadId: 't', entries: [{ payload: { s: 'x'.repeat(200) } }] }, { ...limits, maxEntryBytes: 200 })).toBe('entries[0].payload');
    expect(field({ threadId: 't', entries: [{ payload: { s: 'x'.repeat(90) }, refs: { s: 'x'.repeat(90) } }] }, { ...limits, maxEntryBytes: 200 })).toBe(
      'entries[0]',
    );
    expect(field({ threadId: 't', entries: Array.from({ length: 1000 }, () => ({})) })).toBeNull();
  });
});

describe('checkExpectedRev and isReplayOf', () => {
  const withIds = (expectedRev: number | undefined, ids: string[]) =>
    prepareAppend({ threadId: 't', entries: ids.map((id) => ({ id })), expectedRev }, limits, now);

  it('appends unconditionally or on a matching rev', () => {
    expect(checkExpectedRev(withIds(undefined, ['a']), 7)).toBe('append');
    expect(checkExpectedRev(withIds(7, ['a']), 7)).toBe('append');
    expect(checkExpectedRev(withIds(0, ['a']), 0)).toBe('append');
  });

  it('asks for a replay check only when all ids were given and the range is stored', () => {
    expect(checkExpectedRev(withIds(2, ['a', 'b']), 4)).toBe('check-replay');
    expect(checkExpectedRev(withIds(2, ['a', 'b']), 5)).toBe('check-replay');
    const overrun = checkExpectedRev(withIds(2, ['a', 'b', 'c']), 4);
    expect(overrun).toBeInstanceOf(RevisionConflict);
    expect(overrun).toMatchObject({ expectedRev: 2, actualRev: 4 });
    const ahead = checkExpectedRev(withIds(5, ['a']), 3);
    expect(ahead).toMatchObject({ expectedRev: 5, actualRev: 3 });
    const generated = prepareAppend({ threadId: 't', entries: [{}], expectedRev: 0 }, limits, now);
    expect(checkExpectedRev(generated, 3)).toBeInstanceOf(RevisionConflict);
  });

  it('isReplayOf compares ids in order and count', () => {
    const append = withIds(0, ['a', 'b']);
    expect(isReplayOf(append, ['a', 'b'])).toBe(true);
    expect(isReplayOf(append, ['b', 'a'])).toBe(false);
    expect(isReplayOf(append, ['a'])).toBe(false);
    expect(isReplayOf(append, ['a', 'b', 'c'])).toBe(false);
  });

  it('assignSeqs numbers entries from firstSeq', () => {
    const entries = assignSeqs('t', withIds(undefined, ['a', 'b']).entries, 5);
    expect(entries.map((e) => [e.threadId, e.seq, e.id])).toEqual([
      ['t', 5, 'a'],
      ['t', 6, 'b'],
    ]);
  });
});
