import { describe, expect, it } from 'vitest';
import { pinInput, pinRev } from '../../src/langgraph/pin.js';

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
});
