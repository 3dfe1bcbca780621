import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import type { RetentionPolicyInput } from '../../src/client/gql/graphql.js';
import type { CryoClient } from '../../src/client/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { clientFor, freshId, startServer, tempDir, type TestServer } from '../client/helpers.js';
import { launchChromium, openPage, renderedSeqs, screenshot, waitForSeq } from './browser-helpers.js';

/**
 * The dashboard on trimmed journals (issue 12 item 5), in headless chromium: Thread.firstSeq and
 * Thread.retention in the journal header and the thread list. Memory storage lent to the server,
 * so that it outlives a restart and the test can trim it and set policies directly.
 */
let browser: Browser | undefined;
let server: TestServer | undefined;
let client: CryoClient | undefined;
let storage: Storage | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

const start = (port = 0) => startServer({ port, app: { storage, dashboardDir: dist!.path } });

/** Appends `count` entries (`retention` applies when this creates the thread). */
async function append(threadId: string, count: number, retention?: RetentionPolicyInput): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    const n = Math.min(500, count - done);
    const entries = Array.from({ length: n }, (_, i) => ({ kind: i % 2 ? 'assistant' : 'user', payload: { text: `message ${done + i}` } }));
    const result = await client!.appendEntries({ threadId, entries, retention });
    expect(result.__typename).toBe('AppendEntriesSuccess');
  }
}

/** The seqs of the rows rendered, placeholders included. */
function rowSeqs(page: Page): Promise<number[]> {
  return page.$$eval('#entries [role="option"]', (rows) =>
    rows.map((row) => Number((row as HTMLElement).dataset.seq ?? (row as HTMLElement).dataset.seqPending)).sort((a, b) => a - b),
  );
}

/** The thread's entry in the thread list. */
const listed = (page: Page, threadId: string) => page.locator(`#threads button.thread[data-thread-id="${threadId}"]`);

/** The variables of every Thread query the page sends (queries go over HTTP POST /graphql). */
function threadQueries(page: Page): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
    const body = request.postDataJSON() as { query?: string; variables?: Record<string, unknown> } | null;
    if (body?.query?.includes('query Thread(')) seen.push(body.variables ?? {});
  });
  return seen;
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
  it('shows "trimmed before #n" and the stored count for a trimmed thread (header and list), and Oldest starts at firstSeq', async () => {
    const threadId = freshId('trimmed-thread');
    await append(threadId, 1000, { maxAgeSeconds: 7 * 86_400 }); // a policy that trims nothing fresh
    await storage!.trimThread({ threadId, beforeSeq: 400 });
    const { page, errors } = await openPage(browser!);
    const queries = threadQueries(page);
    try {
      await page.goto(`${server!.baseUrl}?refresh=500#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 999);
      await page.locator('#journal-trimmed[data-first-seq="400"]', { hasText: 'trimmed before #400' }).waitFor();
      await page.locator('#journal-retention[data-max-age-seconds="604800"]', { hasText: 'keeps 7 d' }).waitFor();
      // The list counts what the thread stores (rev - firstSeq), not rev.
      await listed(page, threadId).locator('.thread-count', { hasText: '600 entries · rev 1,000' }).waitFor();
      await listed(page, threadId).locator('.thread-trimmed[data-first-seq="400"]', { hasText: 'trimmed before #400' }).waitFor();
      await listed(page, threadId).locator('.thread-policy', { hasText: 'keeps 7 d' }).waitFor();
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
      await listed(page, threadId).locator('.thread-count', { hasText: '300 entries · rev 1,000' }).waitFor();
      await listed(page, threadId).locator('.thread-trimmed[data-first-seq="700"]', { hasText: 'trimmed before #700' }).waitFor();
      await page.locator('#entry-drawer').waitFor({ state: 'hidden' }); // it showed #400, trimmed now
      await page.click('#to-oldest');
      await waitForSeq(page, 700);
      expect((await rowSeqs(page))[0]).toBe(700);
      await screenshot(page, 'dashboard-trimmed-while-open');
      // firstSeq comes from Thread.firstSeq: no more reading the oldest entry (first: 1) to infer it.
      expect(queries.length).toBeGreaterThan(2);
      expect(queries.filter((variables) => variables.first === 1)).toEqual([]);
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

  it('shows the retention policy in the header and the list, and follows its changes and the trims it makes', async () => {
    const threadId = freshId('policy-thread');
    await append(threadId, 80, { maxEntries: 50 }); // applied inside the append: #0–#29 are gone
    const { page, errors } = await openPage(browser!, { colorScheme: 'dark' });
    try {
      await page.goto(`${server!.baseUrl}?refresh=500#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 79);
      await page.locator('#journal-retention[data-max-entries="50"]', { hasText: 'keeps last 50' }).waitFor();
      await expect(page.locator('#journal-retention').getAttribute('title')).resolves.toContain('keeps the newest 50 entries');
      await page.locator('#journal-trimmed[data-first-seq="30"]', { hasText: 'trimmed before #30' }).waitFor();
      await listed(page, threadId).locator('.thread-count', { hasText: '50 entries · rev 80' }).waitFor();
      await listed(page, threadId).locator('.thread-trimmed', { hasText: 'trimmed before #30' }).waitFor();
      await listed(page, threadId).locator('.thread-policy', { hasText: 'keeps last 50' }).waitFor();

      // Live appends: the policy trims on append (the tail reader gets no JournalTrimmed); the next check shows it.
      await append(threadId, 5);
      await waitForSeq(page, 84);
      await page.locator('#journal-trimmed[data-first-seq="35"]', { hasText: 'trimmed before #35' }).waitFor();
      await listed(page, threadId).locator('.thread-count', { hasText: '50 entries · rev 85' }).waitFor();
      await listed(page, threadId).locator('.thread-trimmed', { hasText: 'trimmed before #35' }).waitFor();

      // A policy set while the page is open (and applied at once) shows at the next check.
      await storage!.setThreadRetention({ threadId, retention: { maxEntries: 20, maxAgeSeconds: 7 * 86_400 } });
      await page.locator('#journal-retention[data-max-entries="20"][data-max-age-seconds="604800"]', { hasText: 'keeps last 20 · 7 d' }).waitFor();
      await page.locator('#journal-trimmed[data-first-seq="65"]', { hasText: 'trimmed before #65' }).waitFor();
      await listed(page, threadId).locator('.thread-count', { hasText: '20 entries · rev 85' }).waitFor();
      await listed(page, threadId).locator('.thread-policy', { hasText: 'keeps last 20 · 7 d' }).waitFor();
      await page.click('#to-oldest');
      await waitForSeq(page, 65);
      expect((await rowSeqs(page))[0]).toBe(65);
      await screenshot(page, 'dashboard-retention-dark');
      // On a phone the four badges wrap: none is cut off at the panel's edge.
      await page.setViewportSize({ width: 360, height: 740 });
      await page.locator('#journal-retention').waitFor({ state: 'visible' });
      const rights = await page.$$eval('#journal .badges > :not([hidden])', (badges) => badges.map((badge) => badge.getBoundingClientRect().right));
      const panelRight = await page.$eval('#journal', (panel) => panel.getBoundingClientRect().right);
      expect(rights).toHaveLength(4);
      expect(Math.max(...rights)).toBeLessThanOrEqual(panelRight);
      await screenshot(page, 'dashboard-retention-narrow');
      await page.setViewportSize({ width: 1400, height: 860 });

      // Cleared: no policy badge; the trim stays.
      await storage!.setThreadRetention({ threadId, retention: null });
      await page.locator('#journal-retention').waitFor({ state: 'hidden' });
      await listed(page, threadId).locator('.thread-policy').waitFor({ state: 'detached' });
      await expect(listed(page, threadId).locator('.thread-trimmed').textContent()).resolves.toBe('trimmed before #65');
      await expect(page.locator('#journal-trimmed').textContent()).resolves.toBe('trimmed before #65');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
