import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveHub } from '../../src/live/live-hub.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { freshId, range, seqsOf, take } from './helpers.js';
import { LossyFeed, wrapStorage } from './wrapped-storage.js';

vi.setConfig({ testTimeout: 15_000 });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup() {
  const inner = createMemoryStorage();
  const feed = new LossyFeed(inner.changes);
  const { storage } = wrapStorage(inner, feed);
  const hub = new LiveHub(storage);
  cleanups.push(async () => {
    await hub.close();
    await inner.close();
  });
  return { storage, feed, hub };
}

describe('live recovery after the change feed lost events', () => {
  it('re-reads the head when the feed reports healthy again and delivers what was missed', async () => {
    const { storage, feed, hub } = setup();
    const threadId = freshId();
    await storage.appendEntries({ threadId, entries: [{}, {}] });
    const subs = await Promise.all([0, 1, 2].map(() => hub.threadEntries({ namespace: 'default', threadId })));
    for (const sub of subs) expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 2 }]);
    const pending = subs.map((s) => take(s, 5));
    feed.setHealthy(false);
    await storage.appendEntries({ threadId, entries: [{}, {}, {}, {}, {}] });
    expect(hub.stats().threadSubscriptions.map((s) => s.nextSeq)).toEqual([2, 2, 2]);
    feed.setHealthy(true);
    for (const events of await Promise.all(pending)) expect(seqsOf(events)).toEqual(range(2, 7));
  });

  it('reports ThreadDeleted when the deletion happened while the feed was down', async () => {
    const { storage, feed, hub } = setup();
    const threadId = freshId();
    await storage.appendEntries({ threadId, entries: [{}, {}] });
    const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
    expect(seqsOf(await take(sub, 3))).toEqual([0, 1]);
    const next = sub.next();
    feed.setHealthy(false);
    await storage.deleteThread({ threadId });
    feed.setHealthy(true);
    expect(await next).toEqual({ value: { type: 'thread-deleted', threadId }, done: false });
    expect((await sub.next()).done).toBe(true);
  });

  it('reports ThreadDeleted when the thread was deleted and re-created shorter while the feed was down', async () => {
    const { storage, feed, hub } = setup();
    const threadId = freshId();
    await storage.appendEntries({ threadId, entries: [{}, {}, {}] });
    const sub = await hub.threadEntries({ namespace: 'default', threadId });
    expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 3 }]);
    const next = sub.next();
    feed.setHealthy(false);
    await storage.deleteThread({ threadId });
    await storage.appendEntries({ threadId, entries: [{}] });
    feed.setHealthy(true);
    expect(await next).toEqual({ value: { type: 'thread-deleted', threadId }, done: false });
  });

  it('stops watching the feed status once the last subscription ended', async () => {
    const { feed, hub } = setup();
    const sub = await hub.threadEntries({ namespace: 'default', threadId: freshId() });
    expect(feed.statusListeners).toBe(1);
    await sub.return();
    expect(feed.statusListeners).toBe(0);
  });
});
