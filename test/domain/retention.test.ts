import { describe, expect, it } from 'vitest';
import { RevisionConflict, TrimBeyondCheckpoint, ValidationError } from '../../src/domain/errors.js';
import { DEFAULT_LIMITS, MAX_REV } from '../../src/domain/limits.js';
import {
  ageCutoff,
  ageTarget,
  checkTrim,
  lowestPointer,
  maxEntriesTarget,
  policyTarget,
  prepareSetRetention,
  prepareTrim,
  requireThread,
  validateRetentionPolicy,
} from '../../src/domain/retention.js';

/** The ValidationError `run` throws (fails the test when it throws nothing or something else). */
function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const entriesAt = (firstSeq: number, ats: string[]) => ats.map((at, i) => ({ seq: firstSeq + i, at }));

describe('validateRetentionPolicy', () => {
  it('accepts bounds 1..2^31-1 or null, and reads "neither bound" as no policy', () => {
    expect(validateRetentionPolicy({ maxEntries: 1 }, 'retention')).toEqual({ maxEntries: 1, maxAgeSeconds: null });
    expect(validateRetentionPolicy({ maxEntries: null, maxAgeSeconds: MAX_REV }, 'retention')).toEqual({ maxEntries: null, maxAgeSeconds: MAX_REV });
    expect(validateRetentionPolicy({}, 'retention')).toBeNull();
    expect(validateRetentionPolicy({ maxEntries: null, maxAgeSeconds: null }, 'retention')).toBeNull();
    expect(validateRetentionPolicy(null, 'retention')).toBeNull();
    expect(validateRetentionPolicy(undefined, 'retention')).toBeNull();
  });

  it.each([
    [[], 'retention', 'must be an object'],
    ['x', 'retention', 'must be an object'],
    [{ maxEntries: 0 }, 'retention.maxEntries', `must be between 1 and ${MAX_REV}`],
    [{ maxAgeSeconds: MAX_REV + 1 }, 'retention.maxAgeSeconds', `must be between 1 and ${MAX_REV}`],
    [{ maxEntries: 1.5 }, 'retention.maxEntries', 'must be an integer'],
    [{ maxEntries: '5' }, 'retention.maxEntries', 'must be an integer'],
    [{ maxRev: 3 }, 'retention.maxRev', 'is not a retention field (maxEntries, maxAgeSeconds)'],
  ])('refuses %j naming %s', (value, field, reason) => {
    expect(validationError(() => validateRetentionPolicy(value, 'retention'))).toMatchObject({ field, reason });
  });
});

describe('prepareTrim and prepareSetRetention', () => {
  it('default the namespace and keep what checkTrim needs', () => {
    expect(prepareTrim({ threadId: 't', beforeSeq: 3 }, DEFAULT_LIMITS)).toEqual({ namespace: 'default', threadId: 't', beforeSeq: 3, expectedRev: undefined });
    expect(prepareTrim({ namespace: 'n', threadId: 't', beforeSeq: 0, expectedRev: 7 }, DEFAULT_LIMITS)).toMatchObject({ beforeSeq: 0, expectedRev: 7 });
    expect(prepareSetRetention({ threadId: 't', retention: { maxAgeSeconds: 60 } }, DEFAULT_LIMITS)).toEqual({
      namespace: 'default',
      threadId: 't',
      retention: { maxEntries: null, maxAgeSeconds: 60 },
    });
    expect(prepareSetRetention({ threadId: 't', retention: null }, DEFAULT_LIMITS).retention).toBeNull();
  });

  it('refuse bad input naming the field', () => {
    expect(validationError(() => prepareTrim({ threadId: '', beforeSeq: 1 }, DEFAULT_LIMITS)).field).toBe('threadId');
    expect(validationError(() => prepareTrim({ threadId: 't', beforeSeq: -1 }, DEFAULT_LIMITS)).field).toBe('beforeSeq');
    expect(validationError(() => prepareTrim({ threadId: 't', beforeSeq: 1.5 }, DEFAULT_LIMITS)).field).toBe('beforeSeq');
    expect(validationError(() => prepareTrim({ threadId: 't', beforeSeq: MAX_REV + 1 }, DEFAULT_LIMITS)).field).toBe('beforeSeq');
    expect(validationError(() => prepareTrim({ threadId: 't', beforeSeq: 1, expectedRev: -2 }, DEFAULT_LIMITS)).field).toBe('expectedRev');
    expect(validationError(() => prepareTrim(null as never, DEFAULT_LIMITS)).field).toBe('input');
    expect(validationError(() => prepareSetRetention({ threadId: 't', retention: { maxEntries: 0 } }, DEFAULT_LIMITS)).field).toBe('retention.maxEntries');
  });
});

describe('requireThread and lowestPointer', () => {
  it('requireThread: a missing thread is a ValidationError on threadId', () => {
    expect(requireThread({ rev: 1 }, 't')).toEqual({ rev: 1 });
    expect(validationError(() => requireThread(null, 't'))).toMatchObject({ field: 'threadId', reason: 'no thread "t"' });
  });

  it('lowestPointer: the lowest rev, ties broken by (agentType, agentId); null for none', () => {
    expect(lowestPointer([])).toBeNull();
    const holders = [
      { agentType: 'b', agentId: '1', rev: 5 },
      { agentType: 'a', agentId: '2', rev: 3 },
      { agentType: 'a', agentId: '1', rev: 3 },
      { agentType: 'c', agentId: '0', rev: 9 },
    ];
    expect(lowestPointer(holders)).toEqual({ agentType: 'a', agentId: '1', rev: 3 });
    expect(lowestPointer(holders.reverse())).toEqual({ agentType: 'a', agentId: '1', rev: 3 });
  });
});

describe('checkTrim', () => {
  const trim = (beforeSeq: number, expectedRev?: number) => prepareTrim({ threadId: 't', beforeSeq, expectedRev }, DEFAULT_LIMITS);
  const head = { rev: 10, firstSeq: 4 };
  const holder = { agentType: 'planner', agentId: 'a1', rev: 6 };

  it("trims above firstSeq up to the lowest pointer; at or below firstSeq it is a no-op", () => {
    expect(checkTrim(trim(6), head, holder)).toBe('trim');
    expect(checkTrim(trim(10), head, null)).toBe('trim');
    expect(checkTrim(trim(4), head, holder)).toBe('noop');
    expect(checkTrim(trim(0), head, null)).toBe('noop');
  });

  it('refuses in order: missing thread, stale expectedRev, beyond rev, beyond a checkpoint', () => {
    expect(validationError(() => checkTrim(trim(99, 3), null, holder)).field).toBe('threadId');
    expect(() => checkTrim(trim(99, 3), head, holder)).toThrow(RevisionConflict);
    expect(() => checkTrim(trim(99, 3), head, holder)).toThrow(expect.objectContaining({ expectedRev: 3, actualRev: 10 }));
    expect(validationError(() => checkTrim(trim(11, 10), head, holder))).toMatchObject({ field: 'beforeSeq', reason: "must be at most the thread's rev (10)" });
    expect(() => checkTrim(trim(7), head, holder)).toThrow(TrimBeyondCheckpoint);
    expect(() => checkTrim(trim(7), head, holder)).toThrow(
      expect.objectContaining({ code: 'TRIM_BEYOND_CHECKPOINT', threadId: 't', beforeSeq: 7, agentType: 'planner', agentId: 'a1', pointerRev: 6 }),
    );
    // A no-op is fine even below a pointer (nothing is dropped).
    expect(checkTrim(trim(3), head, { ...holder, rev: 2 })).toBe('noop');
  });
});

describe('policy targets', () => {
  it('maxEntriesTarget keeps the last maxEntries, never past the lowest pointer; null when nothing to drop', () => {
    expect(maxEntriesTarget({ rev: 10, firstSeq: 0 }, { maxEntries: 3, maxAgeSeconds: null }, null)).toBe(7);
    expect(maxEntriesTarget({ rev: 10, firstSeq: 0 }, { maxEntries: 3, maxAgeSeconds: null }, 5)).toBe(5);
    expect(maxEntriesTarget({ rev: 10, firstSeq: 7 }, { maxEntries: 3, maxAgeSeconds: null }, null)).toBeNull();
    expect(maxEntriesTarget({ rev: 10, firstSeq: 6 }, { maxEntries: 3, maxAgeSeconds: null }, 6)).toBeNull();
    expect(maxEntriesTarget({ rev: 2, firstSeq: 0 }, { maxEntries: 3, maxAgeSeconds: null }, null)).toBeNull();
    expect(maxEntriesTarget({ rev: 10, firstSeq: 0 }, { maxEntries: null, maxAgeSeconds: 60 }, null)).toBeNull();
    expect(maxEntriesTarget({ rev: 10, firstSeq: 0 }, null, null)).toBeNull();
  });

  it('ageCutoff counts maxAgeSeconds back from now (ISO, comparable with entry times); null without an age', () => {
    const now = new Date('2026-06-01T00:00:00.000Z');
    expect(ageCutoff({ maxEntries: null, maxAgeSeconds: 3600 }, now)).toBe('2026-05-31T23:00:00.000Z');
    expect(ageCutoff({ maxEntries: 5, maxAgeSeconds: null }, now)).toBeNull();
    expect(ageCutoff(null, now)).toBeNull();
    // A huge age from an early clock stays a valid ISO time (year 1 at the earliest).
    expect(ageCutoff({ maxEntries: null, maxAgeSeconds: MAX_REV }, new Date('0010-01-01T00:00:00.000Z'))).toBe('0001-01-01T00:00:00.000Z');
  });

  it('ageTarget drops the longest expired prefix only, never past the pointer', () => {
    const cutoff = '2026-01-01T00:00:03.000Z';
    const ats = ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:05.000Z', '2026-01-01T00:00:00.000Z'];
    expect(ageTarget({ rev: 14, firstSeq: 10 }, entriesAt(10, ats), cutoff, null)).toBe(12);
    expect(ageTarget({ rev: 14, firstSeq: 10 }, entriesAt(10, ats), cutoff, 11)).toBe(11);
    expect(ageTarget({ rev: 14, firstSeq: 10 }, entriesAt(10, ats), '2026-01-01T00:00:00.500Z', null)).toBeNull();
    expect(ageTarget({ rev: 14, firstSeq: 10 }, entriesAt(10, ats.slice(0, 2)), cutoff, null)).toBe(12);
    expect(ageTarget({ rev: 2, firstSeq: 0 }, entriesAt(0, ats.slice(0, 2)), cutoff, null)).toBe(2);
    expect(ageTarget({ rev: 2, firstSeq: 0 }, [], cutoff, null)).toBeNull();
  });

  it('ageTarget stops reading at the first young entry (its cost is what it drops)', () => {
    let read = 0;
    function* entries() {
      for (let seq = 0; seq < 1_000_000; seq++) {
        read++;
        yield { seq, at: seq < 3 ? '2020-01-01T00:00:00.000Z' : '2030-01-01T00:00:00.000Z' };
      }
    }
    expect(ageTarget({ rev: 1_000_000, firstSeq: 0 }, entries(), '2026-01-01T00:00:00.000Z', null)).toBe(3);
    expect(read).toBe(4);
  });

  it('policyTarget takes the further of the two bounds, both under the pointer', () => {
    const now = new Date('2026-01-01T00:00:10.000Z');
    const head = (retention: { maxEntries: number | null; maxAgeSeconds: number | null } | null) => ({ rev: 6, firstSeq: 0, retention });
    const ats = entriesAt(0, ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:09.000Z', '2026-01-01T00:00:09.500Z', '2026-01-01T00:00:10.000Z']);
    expect(policyTarget(head({ maxEntries: 4, maxAgeSeconds: 5 }), now, ats, null)).toBe(3);
    expect(policyTarget(head({ maxEntries: 1, maxAgeSeconds: 5 }), now, ats, null)).toBe(5);
    expect(policyTarget(head({ maxEntries: 1, maxAgeSeconds: 5 }), now, ats, 2)).toBe(2);
    expect(policyTarget(head({ maxEntries: null, maxAgeSeconds: 5 }), now, ats, null)).toBe(3);
    expect(policyTarget(head({ maxEntries: 10, maxAgeSeconds: null }), now, ats, null)).toBeNull();
    expect(policyTarget(head(null), now, ats, null)).toBeNull();
  });
});
