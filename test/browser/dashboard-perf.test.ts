import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import type { CryoClient } from '../../src/client/index.js';
import { clientFor, startServer, tempDir, type TestServer } from '../client/helpers.js';
import { ARTIFACTS, launchChromium, openPage, screenshot } from './browser-helpers.js';

const ENTRIES = 100_000;
const BATCH = 1000;
const THREAD = 'perf-100k';
/** The baseline: a 100-entry thread opened the same way in the same run. */
const SMALL = 'perf-100';

let browser: Browser | undefined;
let server: TestServer | undefined;
let client: CryoClient | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

beforeAll(async () => {
  dist = await tempDir('cryo-perf-dist-');
  await buildDashboard(dist.path);
  server = await startServer({ app: { dashboardDir: dist.path } });
  client = clientFor(server);
  // Seeded through the storage directly (the API would add 100 HTTP round trips and nothing to measure).
  for (let start = 0; start < ENTRIES; start += BATCH) {
    await server.app.storage.appendEntries({
      threadId: THREAD,
      entries: Array.from({ length: BATCH }, (_, i) => ({
        kind: ['user', 'assistant', 'tool'][(start + i) % 3],
        payload: { text: `entry ${start + i}: ${'some words of a message '.repeat(3)}`, n: start + i },
      })),
    });
  }
  const small = await client.appendEntries({ threadId: SMALL, entries: Array.from({ length: 100 }, (_, i) => ({ kind: 'user', payload: { text: `entry ${i}` } })) });
  expect(small.__typename).toBe('AppendEntriesSuccess');
  browser = await launchChromium();
});

/** Milliseconds from navigation start until the journal shows `lastSeq` (measured in the page). */
async function openTime(threadId: string, lastSeq: number): Promise<number> {
  const { page } = await openPage(browser!);
  try {
    await page.addInitScript((seq) => {
      new MutationObserver((_, observer) => {
        if (document.querySelector(`#entries [data-seq="${seq}"]`)) {
          (window as unknown as { opened: number }).opened = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    }, lastSeq);
    await page.goto(`${server!.baseUrl}#thread=${threadId}`);
    await page.locator(`#entries [data-seq="${lastSeq}"]`).waitFor({ state: 'attached' });
    return await page.evaluate(() => (window as unknown as { opened: number }).opened);
  } finally {
    await page.close();
  }
}

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await server?.app.stop();
  await dist?.remove();
});

/** Frame statistics from requestAnimationFrame timestamps. */
interface Frames {
  frames: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
  over50Ms: number;
}

/**
 * Measures, in Chromium, how a 100,000-entry journal opens and scrolls. The numbers go to
 * test-artifacts/dashboard-perf.json (the README quotes them), with the open time of a 100-entry
 * thread measured the same way as the baseline, and the machine's load. The assertions guard the
 * structure that makes it fast (a virtual list: a few dozen rows in the DOM), never timings,
 * which vary with the machine's load.
 */
describe('dashboard performance with a 100,000-entry thread', () => {
  it('opens and scrolls the journal with a few dozen rows in the page, and reports the timings', async () => {
    const { page, errors } = await openPage(browser!);
    try {
      await page.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.querySelector('#entries [data-seq="99999"]')) {
            (window as unknown as { opened: number }).opened = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(`${server!.baseUrl}#thread=${THREAD}`);
      await page.locator('#entries [data-seq="99999"]').waitFor({ state: 'attached' });
      await page.locator('#watch-status[data-status="live"]').waitFor();
      const openMs = await page.evaluate(() => (window as unknown as { opened: number }).opened);
      await expect(page.locator('#journal-rev').innerText()).resolves.toBe('rev 100,000');

      // Scroll up through the journal for 3 s (about 40 rows a frame: a fast fling), then jump
      // to 20 random seqs, recording every frame's duration.
      const scroll = await page.evaluate(async () => {
        const list = document.getElementById('entries')!;
        const times: number[] = [];
        let maxRows = 0;
        await new Promise<void>((resolve) => {
          const start = performance.now();
          const frame = (now: number) => {
            times.push(now);
            maxRows = Math.max(maxRows, list.querySelectorAll('.entry').length);
            list.scrollTop -= 2000;
            if (now - start < 3000) requestAnimationFrame(frame);
            else resolve();
          };
          requestAnimationFrame(frame);
        });
        const jumps: number[] = [];
        await new Promise<void>((resolve) => {
          let n = 0;
          const frame = (now: number) => {
            jumps.push(now);
            list.scrollTop = Math.floor(Math.random() * list.scrollHeight);
            if (++n < 20) requestAnimationFrame(frame);
            else resolve();
          };
          requestAnimationFrame(frame);
        });
        const stats = (stamps: number[]) => {
          const deltas = stamps.slice(1).map((t, i) => t - stamps[i]!).sort((a, b) => a - b);
          return {
            frames: deltas.length,
            meanMs: deltas.reduce((a, b) => a + b, 0) / deltas.length,
            p95Ms: deltas[Math.floor(deltas.length * 0.95)]!,
            maxMs: deltas.at(-1)!,
            over50Ms: deltas.filter((d) => d > 50).length,
          };
        };
        return { fling: stats(times), jumps: stats(jumps), maxRows, scrollTop: list.scrollTop };
      });
      // Rows that scrolled into view get their entries (pages read on demand).
      await page.locator('#entries [data-testid="entry"]').first().waitFor();
      const bundle = await page.evaluate(async () => (await (await fetch('/dashboard.js')).arrayBuffer()).byteLength);
      const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);
      const baselineOpenMs = await openTime(SMALL, 99);
      const report = { entries: ENTRIES, openMs: Math.round(openMs), baselineOpenMs100Entries: Math.round(baselineOpenMs), loadAverage1m: Number(loadavg()[0]!.toFixed(1)), fling: round(scroll.fling), jumps: round(scroll.jumps), maxRowsInDom: scroll.maxRows, bundleBytes: bundle, heapBytes: heap };
      console.log('dashboard perf', JSON.stringify(report));
      await writeFile(join(ARTIFACTS, 'dashboard-perf.json'), `${JSON.stringify(report, null, 2)}\n`);
      await screenshot(page, 'dashboard-100k');

      expect(scroll.maxRows).toBeLessThan(100);
      expect(scroll.fling.frames).toBeGreaterThan(5);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

function round(frames: Frames): Frames {
  return {
    frames: frames.frames,
    meanMs: Number(frames.meanMs.toFixed(1)),
    p95Ms: Number(frames.p95Ms.toFixed(1)),
    maxMs: Number(frames.maxMs.toFixed(1)),
    over50Ms: frames.over50Ms,
  };
}
