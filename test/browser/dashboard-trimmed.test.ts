import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import type { CryoClient } from '../../src/client/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { clientFor, freshId, startServer, tempDir, type TestServer } from '../client/helpers.js';
import { launchChromium, openPage, renderedSeqs, screenshot, waitForSeq } from './browser-helpers.js';

/**
 * The dashboard on trimmed journals (issue 12 item 5), in headless chromium. Memory storage lent
 * to the server, so that it outlives a restart and the test can trim it directly (until the
 * trimThread mutation lands).
 */
let browser: Browser | undefined;
let server: TestServer | undefined;
let client: CryoClient | undefined;
let storage: Storage | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

const start = (port = 0) => startServer({ port, app: { storage, dashboardDir: dist!.path } });

async function append(threadId: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    const n = Math.min(500, count - done);
    const result = await client!.appendEntries({ threadId, entries: Array.from({ length: n }, (_, i) => ({ kind: i % 2 ? 'assistant' : 'user', payload: { text: `message ${done + i}` } })) });
    expect(result.__typename).toBe('AppendEntriesSuccess');
  }
}

/** The seqs of the rows rendered, placeholders included. */
function rowSeqs(page: Page): Promise<number[]> {
  return page.$$eval('#entries [role="option"]', (rows) =>
    rows.map((row) => Number((row as HTMLElement).dataset.seq ?? (row as HTMLElement).dataset.seqPending)).sort((a, b) => a - b),
  );
}

beforeAll(async () => {
  dist = await tempDir('cryo-browser-trim-dist-');
  await buildDashboard(dist.path);
  storage = createMemoryStorage();
  server = await start();
  client = clientFor(server);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await server?.app.stop();
  await storage?.close();
  await dist?.remove();
});

describe('dashboard on trimmed journals (headless chromium)', () => {
  it('shows "trimmed before #n" for a trimmed thread, and Oldest starts at firstSeq', async () => {
    const threadId = freshId('trimmed-thread');
    await append(threadId, 1000);
    await storage!.trimThread({ threadId, beforeSeq: 400 });
    const { page, errors } = await openPage(browser!);
    try {
      await page.goto(`${server!.baseUrl}?refresh=500#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 999);
      await page.locator('#journal-trimmed[data-first-seq="400"]', { hasText: 'trimmed before #400' }).waitFor();
      await page.click('#to-oldest');
      await waitForSeq(page, 400);
      await page.locator('#entries [data-seq="400"] .text', { hasText: 'message 400' }).waitFor();
      const rows = await rowSeqs(page);
      expect(rows[0]).toBe(400);
      expect(rows.every((seq) => seq >= 400)).toBe(true);
      await screenshot(page, 'dashboard-trimmed-oldest');
      // Jumping below firstSeq stops at firstSeq.
      await page.fill('#jump-seq', '12');
      await page.click('#jump-form button[type="submit"]');
      await page.locator('#entries [data-seq="400"].current').waitFor();
      // A trim while the page is open (the live stream is at the tail: no JournalTrimmed for it)
      // shows at the next check of the thread, and Oldest follows it.
      await storage!.trimThread({ threadId, beforeSeq: 700 });
      await page.locator('#journal-trimmed[data-first-seq="700"]', { hasText: 'trimmed before #700' }).waitFor();
      await page.locator('#entry-drawer').waitFor({ state: 'hidden' }); // it showed #400, trimmed now
      await page.click('#to-oldest');
      await waitForSeq(page, 700);
      expect((await rowSeqs(page))[0]).toBe(700);
      await screenshot(page, 'dashboard-trimmed-while-open');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a trim while the page is away arrives as JournalTrimmed: the notice says so, the badge moves, entries continue from firstSeq', async () => {
    const threadId = freshId('trim-live');
    await append(threadId, 30);
    const { page, errors } = await openPage(browser!);
    try {
      await page.goto(`${server!.baseUrl}?refresh=500#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 29);
      await expect(page.locator('#journal-trimmed').isHidden()).resolves.toBe(true);

      const port = server!.port;
      await server!.app.stop();
      await page.locator('#watch-status[data-status="reconnecting"]').waitFor();
      // While the page is away: 20 more entries, then everything below #45 trimmed (it had seen up to #29).
      await storage!.appendEntries({ threadId, entries: Array.from({ length: 20 }, (_, i) => ({ kind: 'tool', payload: { text: `away ${30 + i}` } })) });
      await storage!.trimThread({ threadId, beforeSeq: 45 });
      server = await start(port);

      await page.locator('#journal-notice[data-trimmed="45"]', { hasText: 'Entries before #45 were trimmed' }).waitFor();
      // The CaughtUp after the reconnect keeps the trim in view.
      await page.locator('#journal-notice[data-caught-ups="2"]', { hasText: 'Entries before #45 were trimmed' }).waitFor();
      await page.locator('#journal-trimmed[data-first-seq="45"]', { hasText: 'trimmed before #45' }).waitFor();
      await waitForSeq(page, 49);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      expect(await renderedSeqs(page)).toEqual([45, 46, 47, 48, 49]);
      await client!.appendEntries({ threadId, entries: [{ kind: 'user', payload: { text: 'after the trim' } }] });
      await waitForSeq(page, 50);
      expect(await renderedSeqs(page)).toEqual([45, 46, 47, 48, 49, 50]);
      await screenshot(page, 'dashboard-journal-trimmed');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
