import { describe, expect, it } from 'vitest';
import { newEntryId } from '../../src/domain/ids.js';

describe('newEntryId', () => {
  it('is a UUIDv7 string', () => {
    expect(newEntryId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts in generation order within one millisecond and across many', () => {
    const fixed = Date.now() + 60_000;
    const sameMs = Array.from({ length: 3000 }, () => newEntryId(fixed));
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(new Set(sameMs).size).toBe(sameMs.length);
    const later = Array.from({ length: 100 }, (_, i) => newEntryId(fixed + 10 + i));
    const all = [...sameMs, ...later];
    expect([...all].sort()).toEqual(all);
  });

  it('never goes backwards when the clock does', () => {
    const base = Date.now() + 120_000;
    const a = newEntryId(base);
    const b = newEntryId(base - 5000);
    expect(b > a).toBe(true);
  });

  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const ms = Date.now() + 180_000;
    const id = newEntryId(ms);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });
});
