import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { isJsonObject, jsonByteLength } from '../../src/domain/json.js';
import { DEFAULT_LIMITS, MAX_REV } from '../../src/domain/limits.js';
import {
  validateExpectedRev,
  validateId,
  validateJsonObject,
  validateKind,
  validatePageSize,
  validateRev,
  validateTimestamp,
} from '../../src/domain/validate.js';

const limits = DEFAULT_LIMITS;

describe('ValidationError', () => {
  it('carries the reason apart from the field; the message joins them for people', () => {
    const error = new ValidationError('must not be empty', 'entries[0].id');
    expect(error).toMatchObject({ field: 'entries[0].id', reason: 'must not be empty', code: 'VALIDATION_ERROR' });
    expect(error.message).toBe('entries[0].id: must not be empty');
    expect(new ValidationError('pass either first or last').message).toBe('pass either first or last');
  });
});

function fieldOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('validateId', () => {
  it.each(['a', 'x'.repeat(256), '../x', 'a/b', 'emoji 🧊', 'ünï', ' ', '\u00a0nbsp', '\u2028'])('accepts %j', (id) => {
    expect(validateId(id, 'id', limits)).toBe(id);
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(257), 'too long'],
    ['a\u0000', 'NUL'],
    ['a\nb', 'newline'],
    ['\u001f', 'unit separator'],
    ['\u007f', 'DEL'],
    ['\u0080', 'C1 start'],
    ['\u009f', 'C1 end'],
    ['\ud83e', 'lone high surrogate'],
    ['\udc00x', 'lone low surrogate'],
  ])('rejects %j (%s) naming the field', (id) => {
    expect(fieldOf(() => validateId(id, 'thread.id', limits))).toBe('thread.id');
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 1, {}, ['a']]) expect(fieldOf(() => validateId(value, 'f', limits))).toBe('f');
  });

  it('counts UTF-16 code units against maxIdLength and honours a custom limit', () => {
    expect(() => validateId('🧊'.repeat(128), 'f', limits)).not.toThrow();
    expect(() => validateId('🧊'.repeat(129), 'f', limits)).toThrow(/at most 256 characters \(got 258\)/);
    expect(() => validateId('abcd', 'f', { ...limits, maxIdLength: 3 })).toThrow(ValidationError);
  });
});

describe('validateKind', () => {
  it.each(['note', 'tool.call', 'a:b-c_d', 'K9', 'x'.repeat(64)])('accepts %j', (kind) => {
    expect(validateKind(kind, 'kind', limits)).toBe(kind);
  });
  it.each(['', 'has space', 'ünï', 'a/b', 'x'.repeat(65), 'semi;colon'])('rejects %j', (kind) => {
    expect(fieldOf(() => validateKind(kind, 'kind', limits))).toBe('kind');
  });
});

describe('validateJsonObject', () => {
  it('accepts plain and null-prototype objects within the byte limit', () => {
    expect(validateJsonObject({ a: [1, { b: null }] }, 'p', 100)).toEqual({ a: [1, { b: null }] });
    expect(validateJsonObject(Object.create(null), 'p', 100)).toEqual({});
  });
  it('rejects arrays, null, primitives and class instances', () => {
    for (const value of [[], null, 'x', 1, true, new Date(), new Map()]) expect(fieldOf(() => validateJsonObject(value, 'p', 100))).toBe('p');
  });
  it('measures serialized UTF-8 bytes, inclusive limit', () => {
    const value = { s: 'é' };
    const bytes = jsonByteLength(value);
    expect(bytes).toBe(JSON.stringify(value).length + 1);
    expect(() => validateJsonObject(value, 'p', bytes)).not.toThrow();
    expect(() => validateJsonObject(value, 'p', bytes - 1)).toThrow(`at most ${bytes - 1} bytes serialized (got ${bytes})`);
  });
  it('isJsonObject agrees', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
  });
});

describe('revisions, page sizes and timestamps', () => {
  it('validateRev takes integers 0..2^31-1 only', () => {
    expect(validateRev(0, 'r')).toBe(0);
    expect(validateRev(MAX_REV, 'r')).toBe(MAX_REV);
    for (const value of [-1, MAX_REV + 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, 10n]) {
      expect(fieldOf(() => validateRev(value, 'r'))).toBe('r');
    }
  });
  it('validateExpectedRev passes null/undefined through as undefined', () => {
    expect(validateExpectedRev(undefined, 'e')).toBeUndefined();
    expect(validateExpectedRev(null, 'e')).toBeUndefined();
    expect(validateExpectedRev(3, 'e')).toBe(3);
    expect(fieldOf(() => validateExpectedRev(-1, 'e'))).toBe('e');
  });
  it('validatePageSize defaults and bounds', () => {
    expect(validatePageSize(undefined, 'first', limits)).toBe(50);
    expect(validatePageSize(null, 'first', limits)).toBe(50);
    expect(validatePageSize(1, 'first', limits)).toBe(1);
    expect(validatePageSize(500, 'first', limits)).toBe(500);
    for (const value of [0, 501, -1, 2.5, '10']) expect(fieldOf(() => validatePageSize(value, 'first', limits))).toBe('first');
  });
  it('validateTimestamp normalises to ISO UTC with milliseconds', () => {
    expect(validateTimestamp('2026-01-02T03:04:05+02:00', 'at')).toBe('2026-01-02T01:04:05.000Z');
    expect(validateTimestamp(new Date(0), 'at')).toBe('1970-01-01T00:00:00.000Z');
    for (const value of ['nope', '', 12, null, new Date(Number.NaN)]) expect(fieldOf(() => validateTimestamp(value, 'at'))).toBe('at');
  });
});
