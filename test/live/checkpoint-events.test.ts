import { afterEach, describe, expect, it, vi } from 'vitest';
import { SubscriberTooSlow } from '../../src/domain/errors.js';
import { LiveHub } from '../../src/live/live-hub.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { LocalChangeFeed } from '../../src/storage/local-change-feed.js';
import { freshId, take } from './helpers.js';
import { wrapStorage } from './wrapped-storage.js';

vi.setConfig({ testTimeout: 10_000 });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup(options?: ConstructorParameters<typeof LiveHub>[1]) {
  const inner = createMemoryStorage();
  const { storage, calls } = wrapStorage(inner);
  const hub = new LiveHub(storage, options);
  cleanups.push(async () => {
    await hub.close();
    await inner.close();
  });
  return { storage, calls, hub, feed: inner.changes as LocalChangeFeed };
}

describe('checkpointEvents', () => {
  it('emits CheckpointSaved on each put and CheckpointDeleted on delete, filtered by agentType', async () => {
    const { storage, hub } = setup();
    const [a, b] = [freshId('a'), freshId('b')];
    const all = await hub.checkpointEvents({ namespace: 'default' });
    const onlyA = await hub.checkpointEvents({ namespace: 'default', agentType: a });
    const seen = [];
    await storage.putCheckpoint({ agentType: b, agentId: 'x', state: { n: 1 } });
    seen.push(...(await take(all, 1)));
    await storage.putCheckpoint({ agentType: a, agentId: 'y', state: { n: 2 } });
    seen.push(...(await take(all, 1)));
    await storage.deleteCheckpoint({ agentType: b, agentId: 'x' });
    await storage.deleteCheckpoint({ agentType: a, agentId: 'y' });
    seen.push(...(await take(all, 2)));
    expect(seen).toEqual([
      { type: 'checkpoint-saved', checkpoint: expect.objectContaining({ agentType: b, agentId: 'x', rev: 1, state: { n: 1 } }) },
      { type: 'checkpoint-saved', checkpoint: expect.objectContaining({ agentType: a, agentId: 'y', rev: 1, state: { n: 2 } }) },
      { type: 'checkpoint-deleted', agentType: b, agentId: 'x' },
      { type: 'checkpoint-deleted', agentType: a, agentId: 'y' },
    ]);
    expect(await take(onlyA, 2)).toEqual([
      { type: 'checkpoint-saved', checkpoint: expect.objectContaining({ agentType: a, agentId: 'y' }) },
      { type: 'checkpoint-deleted', agentType: a, agentId: 'y' },
    ]);
  });

  it('skips a save whose checkpoint was deleted before it could be read (the delete is delivered)', async () => {
    const { storage, hub } = setup();
    const agentType = freshId('a');
    const sub = await hub.checkpointEvents({ namespace: 'default', agentType });
    const put = storage.putCheckpoint({ agentType, agentId: 'x', state: {} });
    const deleted = storage.deleteCheckpoint({ agentType, agentId: 'x' });
    await Promise.all([put, deleted]);
    await storage.putCheckpoint({ agentType, agentId: 'y', state: {} });
    expect(await take(sub, 2)).toEqual([
      { type: 'checkpoint-deleted', agentType, agentId: 'x' },
      { type: 'checkpoint-saved', checkpoint: expect.objectContaining({ agentId: 'y' }) },
    ]);
  });

  it('sends the current checkpoint when it was overwritten before the read, without a duplicate later', async () => {
    const { storage, hub } = setup();
    const agentType = freshId('a');
    const sub = await hub.checkpointEvents({ namespace: 'default', agentType });
    const first = storage.putCheckpoint({ agentType, agentId: 'x', state: { v: 1 } });
    const second = storage.putCheckpoint({ agentType, agentId: 'x', state: { v: 2 } });
    await Promise.all([first, second]);
    await storage.putCheckpoint({ agentType, agentId: 'x', state: { v: 3 } });
    const events = await take(sub, 2);
    expect(events.map((e) => (e.type === 'checkpoint-saved' ? e.checkpoint.rev : -1))).toEqual([2, 3]);
  });

  it('reads each saved checkpoint once per process, whatever the number of subscribers', async () => {
    const { storage, calls, hub } = setup();
    const agentType = freshId('a');
    const subs = await Promise.all(Array.from({ length: 50 }, () => hub.checkpointEvents({ namespace: 'default' })));
    for (let i = 1; i <= 5; i++) {
      await storage.putCheckpoint({ agentType, agentId: 'x', state: { i } });
      for (const got of await Promise.all(subs.map((s) => take(s, 1)))) {
        expect(got[0]).toMatchObject({ type: 'checkpoint-saved', checkpoint: { rev: i, state: { i } } });
      }
    }
    expect(calls.get('getCheckpoint')).toBe(5);
  });

  it('a reader that lets more than maxPending events pile up is ended with SubscriberTooSlow', async () => {
    const { storage, hub } = setup({ maxPendingCheckpointEvents: 3 });
    const agentType = freshId('a');
    const slow = await hub.checkpointEvents({ namespace: 'default', agentType });
    const sentinel = await hub.checkpointEvents({ namespace: 'default', agentType });
    for (let i = 1; i <= 3; i++) {
      await storage.putCheckpoint({ agentType, agentId: 'x', state: { i } });
      await take(sentinel, 1);
    }
    expect(slow.buffered).toBe(3);
    expect((await take(slow, 1))[0]).toMatchObject({ checkpoint: { rev: 1 } });
    for (let i = 4; i <= 5; i++) {
      await storage.putCheckpoint({ agentType, agentId: 'x', state: { i } });
      await take(sentinel, 1);
    }
    expect(slow.buffered).toBe(3);
    expect((await take(slow, 3)).map((e) => (e.type === 'checkpoint-saved' ? e.checkpoint.rev : 0))).toEqual([2, 3, 4]);
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriberTooSlow);
    expect((await slow.next()).done).toBe(true);
    expect(hub.stats().checkpointSubscriptions).toBe(1);
  });

  it('1,000 subscribe/unsubscribe cycles leave no listener behind', async () => {
    const { storage, hub, feed } = setup();
    for (let i = 0; i < 1000; i++) {
      const sub = await hub.checkpointEvents({ namespace: i % 2 ? 'default' : freshId('ns'), agentType: i % 3 ? null : 'a' });
      const next = sub.next();
      if (i % 7 === 0) await storage.putCheckpoint({ agentType: 'a', agentId: 'x', state: {} });
      await sub.return();
      await next;
    }
    expect(feed.listenerCount).toBe(0);
    expect(hub.stats()).toMatchObject({ checkpointWatchers: 0, checkpointSubscriptions: 0 });
  });
});
