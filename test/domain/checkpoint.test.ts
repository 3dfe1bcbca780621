import { describe, expect, it } from 'vitest';
import { checkPutCheckpoint, nextCheckpoint, preparePutCheckpoint } from '../../src/domain/checkpoint.js';
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
    const current = nextCheckpoint(preparePutCheckpoint(base, limits), null, new Date(0));
    expect(current.rev).toBe(1);
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, expectedRev: 0 }, limits), null, 0)).not.toThrow();
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, expectedRev: 0 }, limits), current, 0)).toThrow(RevisionConflict);
    expect(() => checkPutCheckpoint(preparePutCheckpoint({ ...base, expectedRev: 1 }, limits), current, 0)).not.toThrow();
    const pointer = preparePutCheckpoint({ ...base, thread: { id: 't', rev: 3 } }, limits);
    expect(() => checkPutCheckpoint(pointer, null, 3)).not.toThrow();
    expect(() => checkPutCheckpoint(pointer, null, 9)).not.toThrow();
    let error: unknown;
    try {
      checkPutCheckpoint(pointer, null, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidThreadPointer);
    expect(error).toMatchObject({ threadId: 't', pointerRev: 3, storedRev: 2 });
  });

  it('nextCheckpoint bumps rev and keeps createdAt', () => {
    const first = nextCheckpoint(preparePutCheckpoint(base, limits), null, new Date(1000));
    const second = nextCheckpoint(preparePutCheckpoint({ ...base, version: 4 }, limits), first, new Date(2000));
    expect(second).toMatchObject({ rev: 2, version: 4, createdAt: first.createdAt, updatedAt: new Date(2000).toISOString() });
  });
});
