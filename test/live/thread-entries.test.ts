import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { ThreadEntriesEvent } from '../../src/live/events.js';
import { LiveHub } from '../../src/live/live-hub.js';
import type { ThreadEntriesSubscription } from '../../src/live/thread-entries.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { storageFactories } from './storage-factories.js';
import { freshId, prng, range, seqsOf, take, takeUntil, whenWoken } from './helpers.js';

vi.setConfig({ testTimeout: 15_000 });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function open(make: () => Promise<Storage>, options?: ConstructorParameters<typeof LiveHub>[1]) {
  const storage = await make();
  const hub = new LiveHub(storage, options);
  cleanups.push(async () => {
    await hub.close();
    await storage.close();
  });
  return { storage, hub };
}

const append = (storage: Storage, threadId: string, count: number) =>
  storage.appendEntries({ threadId, entries: Array.from({ length: count }, (_, i) => ({ payload: { i } })) });

/** Reads a subscription until it delivered seq `last` and a CaughtUp. */
async function collectThrough(subscription: ThreadEntriesSubscription, last: number): Promise<ThreadEntriesEvent[]> {
  let caughtUp = false;
  let reached = false;
  return takeUntil(subscription, (e) => {
    if (e.type === 'caught-up') caughtUp = true;
    if (e.type === 'entry' && e.entry.seq === last) reached = true;
    return caughtUp && reached;
  });
}

for (const [name, make] of storageFactories) {
  describe(`threadEntries over ${name} storage`, () => {
    it('replays from fromSeq in pages, emits CaughtUp with the next seq, then follows live appends', async () => {
      const { storage, hub } = await open(make, { pageSize: 7 });
      const threadId = freshId();
      await append(storage, threadId, 20);
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 5 });
      const replay = await takeUntil(sub, (e) => e.type === 'caught-up');
      expect(seqsOf(replay)).toEqual(range(5, 20));
      expect(replay.at(-1)).toEqual({ type: 'caught-up', threadId, rev: 20 });
      await append(storage, threadId, 3);
      expect(seqsOf(await take(sub, 3))).toEqual([20, 21, 22]);
    });

    it('without fromSeq: CaughtUp first with the current rev, then only new entries', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 4);
      const sub = await hub.threadEntries({ namespace: 'default', threadId });
      expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 4 }]);
      await append(storage, threadId, 2);
      const live = await take(sub, 2);
      expect(seqsOf(live)).toEqual([4, 5]);
      expect(live[0]).toMatchObject({ entry: { threadId, payload: { i: 0 } } });
    });

    it('fromSeq beyond the head: CaughtUp names fromSeq and entries stream once they exist', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 2);
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 5 });
      expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 5 }]);
      await append(storage, threadId, 6);
      expect(seqsOf(await take(sub, 3))).toEqual([5, 6, 7]);
    });

    it('subscribes to a thread that does not exist yet and streams it once created', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      const fromStart = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      const onlyNew = await hub.threadEntries({ namespace: 'default', threadId });
      expect(await take(fromStart, 1)).toEqual([{ type: 'caught-up', threadId, rev: 0 }]);
      expect(await take(onlyNew, 1)).toEqual([{ type: 'caught-up', threadId, rev: 0 }]);
      await append(storage, threadId, 2);
      expect(seqsOf(await take(fromStart, 2))).toEqual([0, 1]);
      expect(seqsOf(await take(onlyNew, 2))).toEqual([0, 1]);
    });

    it('a deleted thread emits ThreadDeleted, completes and releases its listener', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 3);
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      expect(seqsOf(await takeUntil(sub, (e) => e.type === 'caught-up'))).toEqual([0, 1, 2]);
      await storage.deleteThread({ threadId });
      expect(await sub.next()).toEqual({ value: { type: 'thread-deleted', threadId }, done: false });
      expect(await sub.next()).toEqual({ value: undefined, done: true });
      expect(hub.stats()).toMatchObject({ threadWatchers: 0, threadSubscriptions: [] });
    });

    it('a thread deleted and re-created ends the old subscription; a new one follows the new thread', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 3);
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      await storage.deleteThread({ threadId });
      await append(storage, threadId, 1);
      const events = await takeUntil(sub, (e) => e.type === 'thread-deleted');
      expect(events.at(-1)).toEqual({ type: 'thread-deleted', threadId });
      expect((await sub.next()).done).toBe(true);
      const again = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      expect(seqsOf(await takeUntil(again, (e) => e.type === 'caught-up'))).toEqual([0]);
    });

    it('rejects a negative or fractional fromSeq with a ValidationError on fromSeq', async () => {
      const { hub } = await open(make);
      await expect(hub.threadEntries({ namespace: 'default', threadId: freshId(), fromSeq: -1 })).rejects.toMatchObject({
        constructor: ValidationError,
        field: 'fromSeq',
      });
      await expect(hub.threadEntries({ namespace: 'default', threadId: freshId(), fromSeq: 1.5 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(hub.stats().threadWatchers).toBe(0);
    });

    it('4 racing writers, 20 subscribers joining at random moments and seqs: each gets fromSeq..end once, in order', async () => {
      const { storage, hub } = await open(make, { pageSize: 16 });
      const threadId = freshId();
      const random = prng(0xc0ffee);
      const total = 2000;
      const joinAt = Array.from({ length: 20 }, () => Math.floor(random() * 300)).sort((a, b) => a - b);
      const readers: Array<Promise<{ fromSeq: number; events: ThreadEntriesEvent[] }>> = [];
      let acked = 0;
      let written = 0;
      const join = async () => {
        const head = (await storage.getThread({ threadId }))?.rev ?? 0;
        const fromSeq = Math.floor(random() * (head + 3));
        const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq });
        return { fromSeq, events: await collectThrough(sub, total - 1) };
      };
      const writer = async () => {
        while (written < total) {
          const count = Math.min(total - written, 1 + Math.floor(random() * 4));
          written += count;
          await append(storage, threadId, count);
          acked++;
          while (joinAt.length && joinAt[0]! <= acked) {
            joinAt.shift();
            readers.push(join());
          }
        }
      };
      await Promise.all([writer(), writer(), writer(), writer()]);
      expect(readers).toHaveLength(20);
      for (const { fromSeq, events } of await Promise.all(readers)) {
        expect(seqsOf(events)).toEqual(range(fromSeq, total));
        const caughtUp = events.filter((e) => e.type === 'caught-up');
        expect(caughtUp).toHaveLength(1);
        const at = events.indexOf(caughtUp[0]!);
        expect(seqsOf(events.slice(0, at)).every((s) => s < (caughtUp[0] as { rev: number }).rev)).toBe(true);
        expect(seqsOf(events.slice(at)).every((s) => s >= (caughtUp[0] as { rev: number }).rev)).toBe(true);
      }
    });

    it('a consumer that stops reading keeps at most queueCapacity entries buffered, then receives everything', async () => {
      const { storage, hub } = await open(make, { pageSize: 50, queueCapacity: 100 });
      const threadId = freshId();
      const sub = await hub.threadEntries({ namespace: 'default', threadId });
      await take(sub, 1);
      const first = sub.next();
      for (let i = 0; i < 100; i++) await append(storage, threadId, 100);
      const statsOf = () => hub.stats().threadSubscriptions.find((s) => s.id === sub.id)!;
      // The fan-out runs after the appends' replies: wait until it queued something.
      await whenWoken(sub, () => statsOf().buffered > 0);
      expect(statsOf().buffered).toBeLessThanOrEqual(100);
      const rest = await take(sub, 9_999);
      expect(seqsOf([(await first).value!, ...rest])).toEqual(range(0, 10_000));
      const after = hub.stats().threadSubscriptions.find((s) => s.id === sub.id)!;
      expect(after.maxBuffered).toBeLessThanOrEqual(100);
    });
  });
}

describe('threadEntries sharing and cleanup (memory)', () => {
  it('a stalled subscriber falls back to its own reads while a fast one on the same thread keeps the shared reads', async () => {
    const { storage, hub } = await open(async () => createMemoryStorage(), { pageSize: 20, queueCapacity: 40 });
    const threadId = freshId();
    const fast = await hub.threadEntries({ namespace: 'default', threadId });
    const slow = await hub.threadEntries({ namespace: 'default', threadId });
    await take(fast, 1);
    await take(slow, 1);
    const fastDone = take(fast, 5000);
    for (let i = 0; i < 50; i++) await append(storage, threadId, 100);
    expect(seqsOf(await fastDone)).toEqual(range(0, 5000));
    const stalled = hub.stats().threadSubscriptions.find((s) => s.id === slow.id)!;
    expect(stalled.buffered).toBeLessThanOrEqual(40);
    expect(stalled.nextSeq).toBeLessThan(5000);
    const ownBefore = hub.stats().reads.ownReads;
    expect(seqsOf(await take(slow, 5000))).toEqual(range(0, 5000));
    expect(hub.stats().reads.ownReads).toBeGreaterThan(ownBefore);
    expect(hub.stats().threadSubscriptions.find((s) => s.id === slow.id)!.maxBuffered).toBeLessThanOrEqual(40);
  });

  it('caught-up subscribers of one thread share one storage read per notification', async () => {
    const { storage, hub } = await open(async () => createMemoryStorage());
    const threadId = freshId();
    await append(storage, threadId, 10);
    const subs = await Promise.all(Array.from({ length: 200 }, () => hub.threadEntries({ namespace: 'default', threadId })));
    await Promise.all(subs.map((s) => take(s, 1)));
    const before = hub.stats().reads;
    for (let n = 0; n < 20; n++) {
      await append(storage, threadId, 3);
      const got = await Promise.all(subs.map((s) => take(s, 3)));
      for (const events of got) expect(seqsOf(events)).toEqual(range(10 + 3 * n, 13 + 3 * n));
    }
    const after = hub.stats().reads;
    expect(after.sharedReads - before.sharedReads).toBe(20);
    expect(after.ownReads - before.ownReads).toBe(0);
  });

  it('1,000 subscribe/unsubscribe cycles leave no listener and an empty registry', async () => {
    const storage = createMemoryStorage();
    const hub = new LiveHub(storage);
    cleanups.push(() => storage.close());
    const threadId = freshId();
    await append(storage, threadId, 5);
    const feed = storage.changes as unknown as { listenerCount: number };
    for (let i = 0; i < 1000; i++) {
      const sub = await hub.threadEntries({ namespace: 'default', threadId: i % 2 ? threadId : freshId(), fromSeq: i % 3 ? 0 : undefined });
      const pending = sub.next();
      if (i % 4 === 0) await pending;
      if (i % 5 === 0) void storage.appendEntries({ threadId, entries: [{}] });
      await sub.return();
      await pending;
      expect((await sub.next()).done).toBe(true);
    }
    expect(feed.listenerCount).toBe(0);
    expect(hub.stats()).toMatchObject({ threadWatchers: 0, checkpointWatchers: 0, threadSubscriptions: [] });
  });
});
