import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { LiveHub } from '../../src/live/live-hub.js';
import { SHARED_READ_RETRY_DELAYS_MS } from '../../src/live/thread-watcher.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, range, seqsOf, take } from './helpers.js';

/**
 * The watcher's shared read (src/live/thread-watcher.ts): it runs after the append that announced
 * it has replied, and one failed read is retried before any subscriber is ended.
 */
vi.setConfig({ testTimeout: 15_000 });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Memory storage whose readEntries fails with StorageUnavailable while `failures` > 0 (counting down; Infinity: stays down). */
function flakyStorage() {
  const inner = createMemoryStorage();
  const control = { failures: 0, failed: 0, reads: 0 };
  const storage = new Proxy(inner, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'readEntries') {
        return (...args: unknown[]) => {
          control.reads++;
          if (control.failures > 0) {
            control.failures--;
            control.failed++;
            return Promise.reject(new StorageUnavailable('injected read timeout'));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  }) as Storage;
  const hub = new LiveHub(storage);
  cleanups.push(async () => {
    await hub.close();
    await inner.close();
  });
  return { storage, hub, control };
}

describe('the shared read of a thread watcher', () => {
  it("an append's reply does not wait for the fan-out: with a synchronous change feed the read starts after the append resolved", async () => {
    const { storage, hub } = flakyStorage();
    const threadId = freshId();
    const subs = await Promise.all(range(0, 200).map(() => hub.threadEntries({ namespace: 'default', threadId })));
    for (const sub of subs) expect(await take(sub, 1)).toEqual([{ type: 'caught-up', threadId, rev: 0 }]);
    let delivered = 0;
    const pending = subs.map((sub) => sub.next().then((result) => (delivered++, result)));
    await storage.appendEntries({ threadId, entries: [{}, {}] });
    // The memory feed announced the append synchronously, inside appendEntries: before the fix the
    // shared read (and the offers to all 200 subscribers) started there, ahead of the reply.
    expect(hub.stats().reads.sharedReads).toBe(0);
    expect(delivered).toBe(0);
    const firsts = await Promise.all(pending);
    for (const first of firsts) expect(first).toMatchObject({ done: false, value: { type: 'entry', entry: { seq: 0 } } });
    expect(hub.stats().reads.sharedReads).toBe(1);
    for (const sub of subs) expect(seqsOf(await take(sub, 1))).toEqual([1]);
  });

  it('a read that fails once (StorageUnavailable) is retried: every subscriber gets every entry once, in order, and stays live', async () => {
    const { storage, hub, control } = flakyStorage();
    const threadId = freshId();
    await storage.appendEntries({ threadId, entries: [{}, {}] });
    const subs = await Promise.all([0, 1, 2].map(() => hub.threadEntries({ namespace: 'default', threadId, fromSeq: 0 })));
    for (const sub of subs) expect(seqsOf(await take(sub, 3))).toEqual([0, 1]);
    const pending = subs.map((sub) => take(sub, 5));
    control.failures = 1;
    await storage.appendEntries({ threadId, entries: [{}, {}, {}, {}, {}] });
    for (const events of await Promise.all(pending)) expect(seqsOf(events)).toEqual(range(2, 7));
    expect(control.failed).toBe(1);
    expect(hub.stats().reads.sharedReads).toBe(2);
    await storage.appendEntries({ threadId, entries: [{}] });
    for (const sub of subs) expect(seqsOf(await take(sub, 1))).toEqual([7]);
    expect(hub.stats().threadSubscriptions.map((s) => s.phase)).toEqual(['live', 'live', 'live']);
  });

  it('when storage stays down through every retry, the waiting subscribers end with StorageUnavailable', async () => {
    const { storage, hub, control } = flakyStorage();
    const threadId = freshId();
    const subs = await Promise.all([0, 1].map(() => hub.threadEntries({ namespace: 'default', threadId })));
    for (const sub of subs) await take(sub, 1);
    const pending = subs.map((sub) => sub.next());
    control.failures = Infinity;
    await storage.appendEntries({ threadId, entries: [{}] });
    for (const result of await Promise.allSettled(pending)) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailable);
    }
    expect(control.failed).toBe(1 + SHARED_READ_RETRY_DELAYS_MS.length);
    expect(hub.stats().threadSubscriptions).toEqual([]);
  });
});
