import { afterAll, describe, expect, it, vi } from 'vitest';
import { LiveHub } from '../../src/live/live-hub.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, prng, range, seqsOf, takeUntil } from './helpers.js';

/** Opens one more storage instance on the shared backend; `close` releases the backend after the suite. */
export interface SharedBackend {
  open(): Promise<Storage>;
  close(): Promise<void>;
}

/**
 * Live journals across two instances of one shared backend (Redis, PostgreSQL): writers and
 * subscribers on both get every entry once, in order, and a deletion on one ends streams on the
 * other. `backend` is called lazily, once, by the first test.
 */
export function describeScaleOut(name: string, backend: () => Promise<SharedBackend>): void {
  vi.setConfig({ testTimeout: 30_000 });
  let shared: Promise<SharedBackend> | undefined;
  const opened: Storage[] = [];
  afterAll(async () => {
    for (const storage of opened) await storage.close();
    await (await shared)?.close();
  });

  async function instance(): Promise<{ storage: Storage; hub: LiveHub }> {
    const storage = await (await (shared ??= backend())).open();
    opened.push(storage);
    return { storage, hub: new LiveHub(storage, { pageSize: 16 }) };
  }

  describe(`threadEntries across two instances sharing one ${name}`, () => {
    it('writers on both instances, subscribers on both: each gets fromSeq..end once, in order, with one CaughtUp', async () => {
      const [a, b] = [await instance(), await instance()];
      const threadId = freshId('scale');
      const random = prng(42);
      const total = 600;
      const subs: Array<{ fromSeq: number; done: Promise<unknown[]> }> = [];
      let written = 0;
      let acked = 0;
      const joinAt = [0, 10, 30, 60, 90, 120];
      const writer = async (on: Storage) => {
        while (written < total) {
          const count = Math.min(total - written, 1 + Math.floor(random() * 4));
          written += count;
          const { thread } = await on.appendEntries({ threadId, entries: Array.from({ length: count }, () => ({})) });
          acked++;
          while (joinAt.length && joinAt[0]! <= acked) {
            joinAt.shift();
            const fromSeq = Math.floor(random() * (thread.rev + 2));
            const hub = subs.length % 2 ? a.hub : b.hub;
            const sub = await hub.threadEntries({ namespace: 'default', threadId, fromSeq });
            let caught = false;
            let reached = false;
            subs.push({
              fromSeq,
              done: takeUntil(sub, (e) => {
                if (e.type === 'caught-up') caught = true;
                if (e.type === 'entry' && e.entry.seq === total - 1) reached = true;
                return caught && reached;
              }),
            });
          }
        }
      };
      await Promise.all([writer(a.storage), writer(b.storage), writer(a.storage), writer(b.storage)]);
      expect(subs).toHaveLength(6);
      for (const { fromSeq, done } of subs) {
        const events = (await done) as Parameters<typeof seqsOf>[0];
        expect(seqsOf(events)).toEqual(range(fromSeq, total));
        expect(events.filter((e) => e.type === 'caught-up')).toHaveLength(1);
      }
      await a.hub.close();
      await b.hub.close();
      expect(a.hub.stats().threadWatchers + b.hub.stats().threadWatchers).toBe(0);
    });

    it('a deletion on one instance ends subscriptions on the other', async () => {
      const [a, b] = [await instance(), await instance()];
      const threadId = freshId('scale-del');
      await a.storage.appendEntries({ threadId, entries: [{}, {}] });
      const sub = await b.hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 });
      await takeUntil(sub, (e) => e.type === 'caught-up');
      await a.storage.deleteThread({ threadId });
      expect(await sub.next()).toEqual({ value: { type: 'thread-deleted', threadId }, done: false });
      expect((await sub.next()).done).toBe(true);
    });
  });
}
