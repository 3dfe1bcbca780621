import { Kind, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { schema } from '../../src/schema/index.js';
import {
  checkpointCursor,
  decodeCheckpointCursor,
  decodeEntryCursor,
  decodeThreadCursor,
  entryCursor,
  threadCursor,
} from '../../src/schema/cursors.js';
import { entryWindow } from '../../src/schema/entry-page.js';
import { parseIsoTimestamp } from '../../src/domain/validate.js';

const scalar = (name: string) => {
  const type = schema.getType(name);
  if (!type || !('parseValue' in type) || !('parseLiteral' in type)) throw new Error(`no scalar ${name}`);
  return type as unknown as { parseValue(v: unknown): unknown; parseLiteral(n: any, vars?: any): unknown; serialize(v: unknown): unknown };
};

describe('JSONObject', () => {
  const s = scalar('JSONObject');
  it('accepts plain objects, from variables and literals', () => {
    expect(s.parseValue({ a: [1, { b: null }] })).toEqual({ a: [1, { b: null }] });
    expect(s.parseLiteral(parseValue('{ a: 1, b: [true, "x"], c: { d: null }, e: $v }'), { v: 3 })).toEqual({ a: 1, b: [true, 'x'], c: { d: null }, e: 3 });
  });
  it.each([[[1]], [null], ['x'], [3], [true], [new Date()]])('rejects %j', (value) => {
    expect(() => s.parseValue(value)).toThrow(/JSONObject must be a JSON object/);
  });
  it('rejects non-object literals', () => {
    expect(() => s.parseLiteral(parseValue('[1]'))).toThrow(/got ListValue/);
    expect(() => s.parseLiteral(parseValue('"x"'))).toThrow(/got StringValue/);
  });
});

describe('JSON', () => {
  const s = scalar('JSON');
  it('accepts any JSON value', () => {
    for (const v of [null, 1, 'x', true, [1, 'a'], { a: { b: [] } }]) expect(s.parseValue(v)).toEqual(v);
    expect(s.parseLiteral(parseValue('[1, 2.5, "x", null, { a: B }]'))).toEqual([1, 2.5, 'x', null, { a: 'B' }]);
  });
  it('rejects what is not JSON', () => {
    expect(() => s.parseValue(Number.NaN)).toThrow(/finite/);
    expect(() => s.parseValue([1, () => 1])).toThrow(/value\[1\] is not a JSON value/);
  });
});

describe('DateTime', () => {
  const s = scalar('DateTime');
  it('parses ISO-8601 with a zone and serializes as UTC with milliseconds', () => {
    const d = s.parseValue('2026-01-02T03:04:05+02:00') as Date;
    expect(s.serialize(d)).toBe('2026-01-02T01:04:05.000Z');
    expect(s.serialize(s.parseValue('2026-01-02T03:04:05.678901Z'))).toBe('2026-01-02T03:04:05.678Z');
    expect(s.serialize('2026-01-02T03:04:05.678Z')).toBe('2026-01-02T03:04:05.678Z');
    expect(s.serialize(s.parseLiteral({ kind: Kind.STRING, value: '2026-12-31T23:59:59Z' }))).toBe('2026-12-31T23:59:59.000Z');
  });
  it.each(['2026-01-02', '2026-01-02T03:04:05', '2026-02-30T00:00:00Z', '2026-01-02T24:00:00Z', '2026-13-01T00:00:00Z', 'yesterday', ''])(
    'rejects %j',
    (value) => {
      expect(parseIsoTimestamp(value)).toBeNull();
      expect(() => s.parseValue(value)).toThrow(/DateTime must be an ISO-8601 date-time/);
    },
  );
  it('rejects non-strings', () => {
    expect(() => s.parseValue(1234)).toThrow(/got a number/);
    expect(() => s.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow(/got IntValue/);
  });
});

describe('cursors', () => {
  it('round-trip and are opaque base64url', () => {
    expect(decodeEntryCursor(entryCursor(41), 'after')).toBe(41);
    expect(decodeThreadCursor(threadCursor('a/../b ✓'), 'after')).toBe('a/../b ✓');
    expect(decodeCheckpointCursor(checkpointCursor('t', 'i'), 'after')).toEqual({ agentType: 't', agentId: 'i' });
    expect(entryCursor(41)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
  it('reject malformed cursors and cursors of another list with a ValidationError naming the argument', () => {
    const bad = (f: () => unknown, field: string, message: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as ValidationError).message).toMatch(message);
      }
    };
    bad(() => decodeEntryCursor('!!', 'after'), 'after', /not a valid cursor/);
    bad(() => decodeEntryCursor('', 'before'), 'before', /not a valid cursor/);
    bad(() => decodeEntryCursor(threadCursor('x'), 'after'), 'after', /not a cursor of this list/);
    bad(() => decodeEntryCursor(Buffer.from('[2,"e",1]').toString('base64url'), 'after'), 'after', /not a cursor of this list/);
    bad(() => decodeEntryCursor(Buffer.from('[1,"e",-1]').toString('base64url'), 'after'), 'after', /not a valid entry cursor/);
    bad(() => decodeEntryCursor(Buffer.from('[1,"e",1.5]').toString('base64url'), 'after'), 'after', /not a valid entry cursor/);
    bad(() => decodeThreadCursor(Buffer.from('[1,"t",""]').toString('base64url'), 'after'), 'after', /not a valid thread cursor/);
    bad(() => decodeCheckpointCursor(Buffer.from('[1,"c","a"]').toString('base64url'), 'after'), 'after', /not a valid checkpoint cursor/);
    bad(() => decodeEntryCursor('A'.repeat(3000), 'after'), 'after', /not a valid cursor/);
  });
});

describe('entryWindow', () => {
  const w = (rev: number, args: Parameters<typeof entryWindow>[1], firstSeq = 0) => entryWindow({ rev, firstSeq }, args, DEFAULT_LIMITS);
  it('computes pages from the rev alone', () => {
    expect(w(120, {})).toEqual({ start: 0, end: 50 });
    expect(w(10, { first: 3 })).toEqual({ start: 0, end: 3 });
    expect(w(10, { first: 3, after: entryCursor(2) })).toEqual({ start: 3, end: 6 });
    expect(w(10, { last: 3 })).toEqual({ start: 7, end: 10 });
    expect(w(10, { last: 3, before: entryCursor(7) })).toEqual({ start: 4, end: 7 });
    expect(w(10, { last: 30, before: entryCursor(2) })).toEqual({ start: 0, end: 2 });
    expect(w(10, { first: 5, after: entryCursor(20) })).toEqual({ start: 21, end: 21 });
    expect(w(10, { after: entryCursor(3), before: entryCursor(6) })).toEqual({ start: 4, end: 6 });
    expect(w(0, { last: 5 })).toEqual({ start: 0, end: 0 });
  });
  it('starts at firstSeq on a trimmed thread: no window reaches below it, whatever the cursor', () => {
    expect(w(10, {}, 4)).toEqual({ start: 4, end: 10 });
    expect(w(10, { first: 3 }, 4)).toEqual({ start: 4, end: 7 });
    expect(w(10, { first: 3, after: entryCursor(1) }, 4)).toEqual({ start: 4, end: 7 });
    expect(w(10, { first: 3, after: entryCursor(5) }, 4)).toEqual({ start: 6, end: 9 });
    expect(w(10, { last: 30 }, 4)).toEqual({ start: 4, end: 10 });
    expect(w(10, { last: 3, before: entryCursor(6) }, 4)).toEqual({ start: 4, end: 6 });
    expect(w(10, { last: 3, before: entryCursor(2) }, 4)).toEqual({ start: 4, end: 4 });
    expect(w(10, { last: 3 }, 10)).toEqual({ start: 10, end: 10 });
  });
  it('rejects bad page sizes and first with last', () => {
    expect(() => w(10, { first: 0 })).toThrow(/first: must be between 1 and 500/);
    expect(() => w(10, { last: 501 })).toThrow(/last: must be between 1 and 500/);
    expect(() => w(10, { first: 1, last: 1 })).toThrow(/either first or last/);
  });
});
