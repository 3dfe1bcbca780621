import { describe, expect, it } from 'vitest';
import { pinInput, pinRev, pinWrite } from '../../src/langgraph/pin.js';
import { pinState } from '../../src/langgraph/pin-state.js';

describe('the pin of a LangGraph run', () => {
  it('is the lowest seq the new and the latest checkpoint read (their entries and value holders), at least 1', () => {
    expect(pinRev({ seq: 9, blobs: { a: [3, 9] } })).toBe(9);
    expect(pinRev({ seq: 9, blobs: { a: [3, 9], b: [1, 1] } })).toBe(1);
    expect(pinRev({ seq: 9, blobs: { a: [3, 9] } }, { seq: 7, blobs: { a: [2, 7] } })).toBe(7);
    expect(pinRev({ seq: 9, blobs: { a: [3, 9] } }, { seq: 7, blobs: { a: [2, 7], b: [1, 3] } })).toBe(3);
    expect(pinRev({ seq: 3, blobs: { a: [1, 0] } })).toBe(1);
  });

  it('is written fenced by its own rev', () => {
    expect(pinInput('lg:t:', 'c1', 5, 2)).toEqual({
      agentType: 'langgraph.pin',
      agentId: 'lg:t:',
      state: { checkpointId: 'c1' },
      thread: { id: 'lg:t:', rev: 5 },
      expectedRev: 2,
    });
  });

  it('is re-sent as a replay of its stored put when it stays, and written fenced by its rev when it moves', () => {
    const seen = { pinRev: 4, pin: { at: 3, checkpointId: 'c1' } };
    // Stays at 3: the stored put again (expectedRev one below its rev), whatever checkpoint is put now.
    expect(pinWrite('lg:t:', 'c2', 3, seen)).toEqual({ input: pinInput('lg:t:', 'c1', 3, 3), holds: { at: 3, checkpointId: 'c1' } });
    // Moves to 5: the new pin, fenced by the rev last seen.
    expect(pinWrite('lg:t:', 'c2', 5, seen)).toEqual({ input: pinInput('lg:t:', 'c2', 5, 4), holds: { at: 5, checkpointId: 'c2' } });
    // Not known (no pin yet, or one not read): written.
    expect(pinWrite('lg:t:', 'c2', 3, { pinRev: 0 }).input).toEqual(pinInput('lg:t:', 'c2', 3, 0));
  });

  it('is known from a read only when its state is exactly what a saver writes', () => {
    expect(pinState({ state: { checkpointId: 'c1' }, thread: { rev: 3 } })).toEqual({ at: 3, checkpointId: 'c1' });
    expect(pinState({ state: { checkpointId: 'c1', other: 1 }, thread: { rev: 3 } })).toBeUndefined();
    expect(pinState({ state: { checkpointId: 'c1' }, thread: null })).toBeUndefined();
    expect(pinState(null)).toBeUndefined();
  });
});
