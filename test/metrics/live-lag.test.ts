import { afterEach, describe, expect, it } from 'vitest';
import { LiveHub } from '../../src/live/live-hub.js';
import { observeLiveLag } from '../../src/metrics/live-metrics.js';
import { CryoMetrics } from '../../src/metrics/registry.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { take } from '../live/helpers.js';
import { APPEND, caughtUp, hasSeq, Recording, THREAD_ENTRIES, wsClient, type WireEvent } from '../server/live-helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** The value of one series (a line `name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('subscription lag metrics', () => {
  it('/metrics has one delivery-lag observation per append notification served, and no ids in labels', async () => {
    const app: TestApp = await startTestApp('memory');
    cleanups.push(() => app.close());
    const client = wsClient(app.graphqlUrl);
    cleanups.push(async () => client.dispose());
    const threadId = 'tenant-lag-thread-5d1e';
    const recording = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
    await recording.until(caughtUp);
    const before = await (await fetch(`${app.url}metrics`)).text();
    expect(sample(before, 'cryo_live_delivery_lag_seconds_count')).toBe(0);
    for (let i = 0; i < 5; i++) {
      await app.data(APPEND, { input: { threadId, entries: [{ kind: 'k' }, { kind: 'k' }] } });
      await recording.until(hasSeq(2 * i + 1));
    }
    const text = await (await fetch(`${app.url}metrics`)).text();
    expect(sample(text, 'cryo_live_delivery_lag_seconds_count')).toBe(5);
    const sum = sample(text, 'cryo_live_delivery_lag_seconds_sum')!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(5);
    expect(sample(text, 'cryo_live_delivery_lag_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(sample(text, 'cryo_live_entries_behind')).toBe(0);
    expect(text).not.toContain('tenant');
    recording.dispose();
  });

  it('entries behind: the furthest-behind subscriber, counted at scrape time; back to 0 once it read everything', async () => {
    const storage = createMemoryStorage();
    const hub = new LiveHub(storage, { pageSize: 10, queueCapacity: 20 });
    const metrics = new CryoMetrics({ defaultMetrics: false });
    const stop = observeLiveLag(hub, metrics);
    cleanups.push(async () => {
      stop();
      await hub.close();
      await storage.close();
    });
    const fast = await hub.threadEntries({ namespace: 'default', threadId: 't' });
    const slow = await hub.threadEntries({ namespace: 'default', threadId: 't' });
    await take(fast, 1);
    await take(slow, 1);
    const fastDone = take(fast, 300);
    for (let i = 0; i < 30; i++) await storage.appendEntries({ threadId: 't', entries: Array.from({ length: 10 }, () => ({})) });
    await fastDone;
    let text = (await metrics.render()).body;
    // The slow one has read nothing: all 300 are still ahead of it (20 of them queued).
    expect(sample(text, 'cryo_live_entries_behind')).toBe(300);
    expect(sample(text, 'cryo_live_delivery_lag_seconds_count')).toBeGreaterThan(0);
    await take(slow, 300);
    text = (await metrics.render()).body;
    expect(sample(text, 'cryo_live_entries_behind')).toBe(0);
  });
});
