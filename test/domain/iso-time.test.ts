import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/domain/iso-time.js';

describe('isoTime', () => {
  it('is toISOString, also when consecutive calls fall in the same millisecond or go back in time', () => {
    const times = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 0, -62135596800000, 253402300799999, 1_700_000_000_001];
    for (const ms of times) expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('throws RangeError for an invalid Date, even right after a valid one, and recovers', () => {
    expect(isoTime(new Date(5))).toBe('1970-01-01T00:00:00.005Z');
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(isoTime(new Date(5))).toBe('1970-01-01T00:00:00.005Z');
  });
});
