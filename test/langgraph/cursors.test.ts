import { describe, expect, it } from 'vitest';
import { afterSeq, beforeSeq, threadsFrom } from '../../src/langgraph/cursors.js';
import { decodeThreadCursor, entryCursor, threadCursor } from '../../src/schema/cursors.js';

describe('cursors the LangGraph saver builds', () => {
  it('are the server\'s own entry and thread cursors', () => {
    expect(afterSeq(0)).toBeNull();
    expect(afterSeq(42)).toBe(entryCursor(41));
    expect(beforeSeq(7)).toBe(entryCursor(7));
    expect(threadsFrom('lg:t%3A1:')).toBe(threadCursor('lg:t%3A19\uffff'));
    expect(decodeThreadCursor(threadsFrom('lg:é:'), 'after')).toBe('lg:é9\uffff');
  });

  it('seek the thread list to just before every key of one thread_id', () => {
    const prefix = 'lg:a:';
    const ids = ['lg:a', 'lg:a%20b:', 'lg:a9', 'lg:a:', 'lg:a:child', 'lg:a:z', 'lg:a;', 'lg:b:'].sort();
    const start = decodeThreadCursor(threadsFrom(prefix), 'after');
    const after = ids.filter((id) => id > start);
    expect(after.filter((id) => id.startsWith(prefix))).toEqual(['lg:a:', 'lg:a:child', 'lg:a:z']);
    expect(after.slice(0, 3)).toEqual(['lg:a:', 'lg:a:child', 'lg:a:z']);
  });
});
