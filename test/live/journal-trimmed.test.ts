import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ThreadEntriesEvent } from '../../src/live/events.js';
import { LiveHub } from '../../src/live/live-hub.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, range, seqsOf, take, takeUntil } from './helpers.js';

/**
 * JournalTrimmed on the live layer (issue 12 item 5): a subscriber whose next seq was trimmed
 * gets one `journal-trimmed` and continues from firstSeq, in order, without duplicates. Run on
 * the adapters whose retention has landed (the others reject trimThread until it does).
 */
vi.setConfig({ testTimeout: 15_000 });

const adapters: Array<[string, () => Promise<Storage>]> = [['memory', async () => createMemoryStorage()]];

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

const append = (storage: Storage, threadId: string, count: number, retention?: { maxEntries: number }) =>
  storage.appendEntries({ threadId, retention, entries: Array.from({ length: count }, (_, i) => ({ payload: { i } })) });

const trimmedMarkers = (events: ThreadEntriesEvent[]) => events.filter((e) => e.type === 'journal-trimmed');

/**
 * The delivery rule with trims: entries strictly consecutive, except that the entry right after
 * a JournalTrimmed has exactly its firstSeq (a marker never hides a retained entry, never repeats one).
 */
function expectOrderedWithTrims(events: ThreadEntriesEvent[], fromSeq: number): void {
  let next = fromSeq;
  for (const event of events) {
    if (event.type === 'journal-trimmed') {
      expect(event.firstSeq).toBeGreaterThan(next);
      next = event.firstSeq;
    } else if (event.type === 'entry') {
      expect(event.entry.seq).toBe(next);
      next++;
    } else if (event.type === 'caught-up') {
      expect(event.rev).toBe(next);
    }
  }
}

for (const [name, make] of adapters) {
  describe(`JournalTrimmed over ${name} storage`, () => {
    it('a replay from below firstSeq gets one JournalTrimmed, then firstSeq.. in order, CaughtUp, and live entries', async () => {
      const { storage, hub } = await open(make, { pageSize: 5 });
      const threadId = freshId();
      await append(storage, threadId, 20);
      await storage.trimThread({ threadId, beforeSeq: 8 });
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 3 });
      const replay = await takeUntil(sub, (e) => e.type === 'caught-up');
      expect(replay[0]).toEqual({ type: 'journal-trimmed', threadId, firstSeq: 8 });
      expect(seqsOf(replay)).toEqual(range(8, 20));
      expect(trimmedMarkers(replay)).toHaveLength(1);
      expect(replay.at(-1)).toEqual({ type: 'caught-up', threadId, rev: 20 });
      await append(storage, threadId, 2);
      expect(seqsOf(await take(sub, 2))).toEqual([20, 21]);
    });

    it('a replay of a fully trimmed thread gets JournalTrimmed at rev, CaughtUp at rev, then new entries', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 12);
      await storage.trimThread({ threadId, beforeSeq: 12 });
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      expect(await take(sub, 2)).toEqual([
        { type: 'journal-trimmed', threadId, firstSeq: 12 },
        { type: 'caught-up', threadId, rev: 12 },
      ]);
      await append(storage, threadId, 1);
      expect(seqsOf(await take(sub, 1))).toEqual([12]);
    });

    it('no JournalTrimmed for a replay from firstSeq or above, nor for a subscription without fromSeq', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 10);
      await storage.trimThread({ threadId, beforeSeq: 4 });
      const atFirst = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 4 });
      const noReplay = await hub.threadEntries({ namespace: 'default', threadId });
      const replay = await takeUntil(atFirst, (e) => e.type === 'caught-up');
      expect(trimmedMarkers(replay)).toEqual([]);
      expect(seqsOf(replay)).toEqual(range(4, 10));
      expect(await take(noReplay, 1)).toEqual([{ type: 'caught-up', threadId, rev: 10 }]);
      await storage.trimThread({ threadId, beforeSeq: 10 });
      await append(storage, threadId, 1);
      expect(await take(atFirst, 1)).toMatchObject([{ type: 'entry', entry: { seq: 10 } }]);
      expect(await take(noReplay, 1)).toMatchObject([{ type: 'entry', entry: { seq: 10 } }]);
    });

    it('a reader overtaken by a trim (the thread-trimmed event, no append) gets what it had queued, one JournalTrimmed, then firstSeq..', async () => {
      const { storage, hub } = await open(make, { pageSize: 20, queueCapacity: 40 });
      const threadId = freshId();
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 0 }]);
      const first = sub.next();
      await append(storage, threadId, 500);
      const queued = hub.stats().threadSubscriptions.find((s) => s.id === sub.id)!;
      expect(queued.nextSeq).toBeLessThan(300);
      await storage.trimThread({ threadId, beforeSeq: 300 });
      // The trim alone moved the subscription: no append, no read needed to learn it.
      expect(hub.stats().threadSubscriptions.find((s) => s.id === sub.id)!.nextSeq).toBe(300);
      const events = [(await first).value!, ...(await takeUntil(sub, (e) => e.type === 'entry' && e.entry.seq === 499))];
      expectOrderedWithTrims(events, 0);
      expect(trimmedMarkers(events)).toEqual([{ type: 'journal-trimmed', threadId, firstSeq: 300 }]);
      expect(seqsOf(events)).toEqual([...range(0, queued.nextSeq), ...range(300, 500)]);
      await append(storage, threadId, 1);
      expect(seqsOf(await take(sub, 1))).toEqual([500]);
    });

    it('trims that go on while the reader does not read reach it as one JournalTrimmed with the latest firstSeq', async () => {
      const { storage, hub } = await open(make, { pageSize: 10, queueCapacity: 10 });
      const threadId = freshId();
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      await take(sub, 1);
      // No pull pending: the queue fills with 0..9 and stays full while the journal is trimmed 4 times.
      await append(storage, threadId, 100);
      for (const beforeSeq of [30, 40, 55, 70]) await storage.trimThread({ threadId, beforeSeq });
      expect(hub.stats().threadSubscriptions.find((s) => s.id === sub.id)).toMatchObject({ buffered: 10, nextSeq: 70 });
      const events = await takeUntil(sub, (e) => e.type === 'entry' && e.entry.seq === 99);
      expectOrderedWithTrims(events, 0);
      expect(trimmedMarkers(events)).toEqual([{ type: 'journal-trimmed', threadId, firstSeq: 70 }]);
      expect(seqsOf(events)).toEqual([...range(0, 10), ...range(70, 100)]);
    });

    it('a caught-up reader is not told about trims of entries it already has', async () => {
      const { storage, hub } = await open(make);
      const threadId = freshId();
      await append(storage, threadId, 5);
      const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      await takeUntil(sub, (e) => e.type === 'caught-up');
      await storage.trimThread({ threadId, beforeSeq: 5 });
      await append(storage, threadId, 2);
      expect(seqsOf(await take(sub, 2))).toEqual([5, 6]);
    });

    it('readers overtaken by a maxEntries policy inside appends (no trim event: a gap in what a read returns) skip to firstSeq, fast and slow alike', async () => {
      const { storage, hub } = await open(make, { pageSize: 16, queueCapacity: 32 });
      const threadId = freshId();
      await append(storage, threadId, 1, { maxEntries: 50 });
      const published: string[] = [];
      const stop = await storage.changes.subscribeThread('default', threadId, (event) => published.push(event.type));
      cleanups.push(stop);
      const subs = await Promise.all([0, 0, 0].map((fromSeq) => hub.threadEntries({ namespace: 'default', threadId, fromSeq })));
      const fast = takeUntil(subs[0]!, (e) => e.type === 'entry' && e.entry.seq === 999);
      await Promise.all(subs.slice(1).map((s) => take(s, 1)));
      for (let i = 0; i < 111; i++) await append(storage, threadId, 9);
      expect(published).not.toContain('thread-trimmed');
      const head = await storage.getThread({ threadId });
      expect(head).toMatchObject({ rev: 1000, firstSeq: 950 });
      const slow = await Promise.all(subs.slice(1).map((s) => takeUntil(s, (e) => e.type === 'entry' && e.entry.seq === 999)));
      expectOrderedWithTrims(await fast, 0);
      for (const events of slow) expectOrderedWithTrims(events, 1); // their entry 0 was taken before the appends
      for (const events of [await fast, ...slow]) expect(seqsOf(events).slice(-50)).toEqual(range(950, 1000));
      // The slow ones fell more than a policy's worth behind: they skipped, and were told.
      for (const events of slow) expect(trimmedMarkers(events).length).toBeGreaterThan(0);
    });
  });
}
