import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActivityTracker } from '../../playground/dashboard/activity.js';
import { entryCursor, threadCursor } from '../../playground/dashboard/cursors.js';
import { fullDate, shortStamp, threadTitle } from '../../playground/dashboard/format.js';
import { durationLabel, retentionLabel, retentionTitle, storedLabel } from '../../playground/dashboard/retention-label.js';
import { summarizeEntry } from '../../playground/dashboard/summarize.js';
import { entryCursor as serverEntryCursor, threadCursor as serverThreadCursor } from '../../src/schema/cursors.js';
import { patchGraphiQLPage } from '../../src/server/graphiql-page.js';

const entry = (payload: Record<string, unknown>, refs: Record<string, unknown> = {}) => ({ kind: 'note', payload, refs });

describe('dashboard pieces that run without a browser', () => {
  it('builds the same entry and thread cursors as the server', () => {
    for (const seq of [0, 1, 249, 99_999]) expect(entryCursor(seq)).toBe(serverEntryCursor(seq));
    for (const id of ['demo-thread', 'pfx-', 'ünïcode/thread ✓', 'a"b\\c']) expect(threadCursor(id)).toBe(serverThreadCursor(id));
  });

  it('summarizes entries of every common shape on one line', () => {
    expect(summarizeEntry(entry({ text: 'hello\nthere', lang: 'en' }))).toEqual({ headline: 'hello there', detail: '{"lang":"en"}' });
    expect(summarizeEntry(entry({ content: [{ type: 'text', text: 'part one' }, { type: 'text', text: 'two' }] })).headline).toBe('part one two');
    expect(summarizeEntry(entry({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello!' }] })).headline).toBe('assistant: hello!');
    expect(summarizeEntry(entry({ name: 'search', args: { q: 'cats' }, output: [1, 2] })).headline).toBe('search({"q":"cats"}) → [1,2]');
    expect(summarizeEntry(entry({ error: { message: 'rate limited' } })).headline).toBe('error: rate limited');
    expect(
      summarizeEntry(entry({ checkpoint: { channel_values: { messages: [{ type: 'ai', content: 'done' }], next: 'x' } }, metadata: { step: 3, source: 'loop' } })),
    ).toEqual({ headline: 'step 3 (loop) · ai: done', detail: 'channels: messages, next · 1 messages' });
    expect(summarizeEntry(entry({ task_id: 'abcdef123456', writes: [['messages', {}], ['next', 'tool']] })).headline).toBe('writes messages, next · task abcdef12');
    expect(summarizeEntry(entry({ a: 1, b: 'two' }, { run: 'r1' }))).toEqual({ headline: 'a: 1 · b: two', detail: 'refs {"run":"r1"}' });
    expect(summarizeEntry(entry({})).headline).toBe('(empty payload)');
  });

  it('labels retention policies and what a trimmed thread stores', () => {
    expect(durationLabel(604_800)).toBe('7 d');
    expect(durationLabel(5_400)).toBe('90 min');
    expect(durationLabel(7_200)).toBe('2 h');
    expect(durationLabel(90_000)).toBe('25 h');
    expect(durationLabel(45)).toBe('45 s');
    expect(durationLabel(61)).toBe('61 s');
    expect(retentionLabel({ maxEntries: 1000, maxAgeSeconds: null })).toBe('keeps last 1,000');
    expect(retentionLabel({ maxEntries: null, maxAgeSeconds: 604_800 })).toBe('keeps 7 d');
    expect(retentionLabel({ maxEntries: 20, maxAgeSeconds: 86_400 })).toBe('keeps last 20 · 1 d');
    expect(retentionLabel(null)).toBeNull();
    expect(retentionLabel({ maxEntries: null, maxAgeSeconds: null })).toBeNull();
    expect(retentionTitle(null)).toBe('');
    expect(retentionTitle({ maxEntries: 5 })).toContain('keeps the newest 5 entries');
    expect(storedLabel({ rev: 1000, firstSeq: 400 })).toBe('600 entries · rev 1,000');
    expect(storedLabel({ rev: 1, firstSeq: 0 })).toBe('1 entry · rev 1');
    expect(storedLabel({ rev: 7, firstSeq: 7 })).toBe('0 entries · rev 7');
  });

  it('formats dates and titles', () => {
    expect(shortStamp('2026-01-02T03:04:05.678Z', '2026-01-02')).toBe('03:04:05');
    expect(shortStamp('2026-01-02T03:04:05.678Z', '2026-03-01')).toBe('01-02 03:04');
    expect(fullDate('2026-01-02T03:04:05.678Z')).toMatch(/^2026-01-02T03:04:05.678Z \(UTC\) · .+ local$/);
    expect(threadTitle({ title: '  Refund  ' })).toBe('Refund');
    expect(threadTitle({ name: 'Run 7' })).toBe('Run 7');
    expect(threadTitle({ title: 3 })).toBeNull();
  });

  it('counts entries per minute and kind over the last hour, each seq once', () => {
    const now = Date.now();
    const activity = new ActivityTracker();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    activity.record('t', [
      { seq: 0, at: at(90), kind: 'user' },
      { seq: 1, at: at(5), kind: 'user' },
      { seq: 2, at: at(5), kind: 'tool' },
      { seq: 3, at: at(0), kind: 'user' },
    ]);
    activity.record('t', [{ seq: 3, at: at(0), kind: 'user' }]);
    const minutes = activity.minutes('t', now);
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((sum, m) => sum + m.total, 0)).toBe(3);
    expect(Object.fromEntries(minutes[54]!.byKind)).toEqual({ user: 1, tool: 1 });
    expect(minutes[59]!.total).toBe(1);
  });

  it('patches the GraphiQL page it ships with: scalars, tabs and the subscription log', () => {
    const { html, applied } = patchGraphiQLPage(`<html><head></head><script>${JSON.stringify('const defaultScalarTypesMap = {\n Int: {} }')}</script></html>`);
    expect(applied).toEqual(['scalars', 'tabs', 'subscriptions']);
    expect(html).toContain('JSONObject: { type: \\"object\\"');
    expect(patchGraphiQLPage('<p>no anchors</p>').applied).toEqual([]);
    // The anchor is present in the GraphiQL build this package pins.
    const bundle = readFileSync(new URL('../../node_modules/@graphql-yoga/render-graphiql/esm/graphiql.js', import.meta.url), 'utf8');
    expect(bundle.includes('defaultScalarTypesMap = {')).toBe(true);
  });
});
