import { describe, expect, it } from 'vitest';
import { checkPutCheckpoint, isCheckpointReplay, nextCheckpoint, pointsAtLife, preparePutCheckpoint } from '../../src/domain/checkpoint.js';
import { InvalidThreadPointer, RevisionConflict, ValidationError } from '../../src/domain/errors.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';

const limits = DEFAULT_LIMITS;
const base = { agentType: 'p', agentId: 'a', state: { s: 1 } };

describe('checkpoint rules', () => {
  it('prepares defaults: namespace "default", version 1, null pointer, no expectedRev', () => {
    expect(preparePutCheckpoint(base, limits)).toEqual({
      namespace: 'default',
      agentType: 'p',
      agentId: 'a',
      state: { s: 1 },
      version: 1,
      thread: null,
      expectedRev: undefined,
    });
  });

  it('rejects pointer rev 0 (use null for an empty thread) and other bad fields', () => {
    const field = (extra: object): string | null => {
      try {
        preparePutCheckpoint({ ...base, ...extra }, limits);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
    };
    expect(field({ thread: { id: 't', rev: 0 } })).toBe('thread.rev');
    expect(field({ thread: { id: 't', rev: 1 } })).toBeNull();
    expect(field({ thread: { id: '', rev: 1 } })).toBe('thread.id');
    expect(field({ version: 2.5 })).toBe('version');
    expect(field({ version: 0 })).toBeNull();
    expect(field({ state: { big: 'x'.repeat(100) } })).toBeNull();
    expect(field({ expectedRev: 'x' })).toBe('expectedRev');
  });

  it('checks expectedRev against the current rev (missing = 0) and the pointer against the thread rev', () => {
    const current = nextCheckpoint(preparePutCheckpoint(base, limits), null, null, new Date(0));
    expect(current.rev).toBe(1);
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, expectedRev: 0 }, limits), null, null)).not.toThrow();
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, state: { s: 2 }, expectedRev: 0 }, limits), current, null)).toThrow(RevisionConflict);
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, expectedRev: 1 }, limits), current, null)).not.toThrow();
    const pointer = preparePutCheckpoint({ ...base, thread: { id: 't', rev: 3 } }, limits);
    expect(() => checkPutCheckpoint(pointer, null, { rev: 3, firstSeq: 0, life: 'L' })).not.toThrow();
    expect(() => checkPutCheckpoint(pointer, null, { rev: 9, firstSeq: 0, life: 'L' })).not.toThrow();
    let error: unknown;
    try {
      checkPutCheckpoint(pointer, null, { rev: 2, firstSeq: 0, life: 'L' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidThreadPointer);
    expect(error).toMatchObject({ threadId: 't', pointerRev: 3, storedRev: 2 });
  });

  it('nextCheckpoint bumps rev and keeps createdAt', () => {
    const first = nextCheckpoint(preparePutCheckpoint(base, limits), null, null, new Date(1000));
    const second = nextCheckpoint(preparePutCheckpoint({ ...base, version: 4 }, limits), first, null, new Date(2000));
    expect(second).toMatchObject({ rev: 2, version: 4, createdAt: first.createdAt, updatedAt: new Date(2000).toISOString() });
  });

  it('recognises a replay: expectedRev n, stored rev n + 1 with equal state (any key order), version and pointer', () => {
    const put = (extra: object) => preparePutCheckpoint({ ...base, state: { a: 1, b: [1, { c: 2 }] }, thread: { id: 't', rev: 2 }, expectedRev: 4, ...extra }, limits);
    const stored = { ...nextCheckpoint(put({}), null, { rev: 2, firstSeq: 0, life: 'L' }, new Date(0)), rev: 5 };
    expect(stored.thread).toEqual({ id: 't', rev: 2, life: 'L' });
    expect(isCheckpointReplay(put({ state: { b: [1, { c: 2 }], a: 1 } }), stored)).toBe(true);
    expect(checkPutCheckpoint(put({}), stored, null)).toBe('replay');
    expect(isCheckpointReplay(put({ thread: { id: 't', rev: 2, life: 'L' } }), stored)).toBe(true);
    expect(isCheckpointReplay(put({ thread: { id: 't', rev: 2, life: 'M' } }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ state: { a: 1, b: [1, { c: 3 }] } }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ version: 2 }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ thread: { id: 't', rev: 3 } }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ thread: null }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ expectedRev: 3 }), stored)).toBe(false);
    expect(isCheckpointReplay(put({ expectedRev: undefined }), stored)).toBe(false);
    expect(() => checkPutCheckpoint(put({ version: 2 }), stored, null)).toThrow(RevisionConflict);
    expect(checkPutCheckpoint(put({ expectedRev: 5 }), stored, { rev: 2, firstSeq: 0, life: 'L' })).toBe('write');
  });

  it('checks a given pointer life against the thread and matches stored pointers by life', () => {
    const put = preparePutCheckpoint({ ...base, thread: { id: 't', rev: 2, life: 'L' } }, limits);
    expect(checkPutCheckpoint(put, null, { rev: 2, firstSeq: 0, life: 'L' })).toBe('write');
    expect(() => checkPutCheckpoint(put, null, { rev: 2, firstSeq: 0, life: 'M' })).toThrow(InvalidThreadPointer);
    expect(() => preparePutCheckpoint({ ...base, thread: { id: 't', rev: 2, life: '' } }, limits)).toThrow(ValidationError);
    expect(pointsAtLife({ id: 't', rev: 2, life: 'L' }, { life: 'L' })).toBe(true);
    expect(pointsAtLife({ id: 't', rev: 2, life: 'L' }, { life: 'M' })).toBe(false);
    expect(pointsAtLife({ id: 't', rev: 2 }, { life: 'M' })).toBe(true);
  });
});
