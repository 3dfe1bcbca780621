import { describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { instrumentStorage } from '../../src/metrics/instrument-storage.js';
import { CryoMetrics } from '../../src/metrics/registry.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { ChangeFeed, Storage } from '../../src/storage/types.js';

async function value(metrics: CryoMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  const sample = (metric.values as { value: number; labels: Record<string, string>; metricName?: string }[]).find(
    (v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l) && (v.metricName === undefined || v.metricName === `${name}_count` || v.metricName === name),
  );
  return sample?.value ?? 0;
}

describe('instrumentStorage', () => {
  it('counts STORAGE_UNAVAILABLE, feed reconnects and calls by method, and passes results and errors through', async () => {
    const memory = createMemoryStorage();
    const statusListeners = new Set<(healthy: boolean) => void>();
    let failNext = false;
    const feed: ChangeFeed = {
      subscribeThread: (...a) => memory.changes.subscribeThread(...a),
      subscribeCheckpoints: (...a) => memory.changes.subscribeCheckpoints(...a),
      subscribeApiKeys: (...a) => memory.changes.subscribeApiKeys(...a),
      onStatus: (listener) => {
        statusListeners.add(listener);
        return () => statusListeners.delete(listener);
      },
    };
    const flaky = new Proxy(memory, {
      get(target, property) {
        if (property === 'changes') return feed;
        if (property === 'getThread') {
          return async (o: Parameters<Storage['getThread']>[0]) => {
            if (failNext) throw new StorageUnavailable('down');
            return target.getThread(o);
          };
        }
        const v = Reflect.get(target, property, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const metrics = new CryoMetrics({ defaultMetrics: false });
    const { storage, detach } = instrumentStorage(flaky, { metrics });
    await storage.appendEntries({ threadId: 't', entries: [{ id: 'a' }, { id: 'b' }] });
    await storage.appendEntries({ threadId: 't', entries: [{ id: 'a' }, { id: 'b' }], expectedRev: 0 });
    await expect(storage.appendEntries({ threadId: 't', entries: [{ id: 'c' }], expectedRev: 1 })).rejects.toMatchObject({ code: 'REVISION_CONFLICT' });
    expect((await storage.getThread({ threadId: 't' }))?.rev).toBe(2);
    failNext = true;
    await expect(storage.getThread({ threadId: 't' })).rejects.toBeInstanceOf(StorageUnavailable);
    for (const healthy of [false, true, true, false, false, true]) for (const l of statusListeners) l(healthy);

    expect(await value(metrics, 'cryo_entries_appended_total')).toBe(2);
    expect(await value(metrics, 'cryo_revision_conflicts_total')).toBe(1);
    expect(await value(metrics, 'cryo_storage_unavailable_total')).toBe(1);
    expect(await value(metrics, 'cryo_storage_reconnects_total')).toBe(2);
    expect(await value(metrics, 'cryo_storage_call_duration_seconds', { method: 'getThread' })).toBe(2);
    expect(await value(metrics, 'cryo_storage_call_duration_seconds', { method: 'appendEntries' })).toBe(3);
    detach();
    expect(statusListeners.size).toBe(0);
    await storage.close();
  });
});
