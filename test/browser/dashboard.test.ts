import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryCursor } from '../../playground/dashboard/cursors.js';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import type { CryoClient } from '../../src/client/index.js';
import { clientFor, freshId, startServer, tempDir, type TestServer } from '../client/helpers.js';
import { launchChromium, openPage, renderedSeqs, screenshot, waitForSeq } from './browser-helpers.js';

let browser: Browser | undefined;
let server: TestServer | undefined;
let client: CryoClient | undefined;
let data: { path: string; remove(): Promise<void> } | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

async function start(port = 0): Promise<TestServer> {
  return startServer({ storage: `file:${data!.path}`, port, app: { dashboardDir: dist!.path } });
}

async function append(threadId: string, kinds: string[], extra: { metadata?: Record<string, unknown> } = {}): Promise<void> {
  const result = await client!.appendEntries({ threadId, ...extra, entries: kinds.map((kind, i) => ({ kind, payload: { text: `${kind} message ${i}` } })) });
  expect(result.__typename).toBe('AppendEntriesSuccess');
}

/** The dashboard at `hash`, re-reading every 500 ms (instead of 5 s) so that tests wait less. */
async function goto(page: Page, hash = ''): Promise<void> {
  await page.goto(`${server!.baseUrl}?refresh=500${hash}`);
}

beforeAll(async () => {
  data = await tempDir('cryo-browser-data-');
  dist = await tempDir('cryo-browser-dist-');
  await buildDashboard(dist.path);
  server = await start();
  client = clientFor(server);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await server?.app.stop();
  await data?.remove();
  await dist?.remove();
});

describe('dashboard in headless chromium', () => {
  it('streams a journal live, in order, and continues without gaps after a server restart', async () => {
    const threadId = freshId('demo-thread');
    const agentType = freshId('planner');
    await append(threadId, ['user', 'assistant']);
    const saved = await client!.putCheckpoint({ agentType, agentId: 'in-sync', state: { step: 1 }, thread: { id: threadId, rev: 2 } });
    expect(saved.__typename).toBe('PutCheckpointSuccess');
    await client!.putCheckpoint({ agentType, agentId: 'behind', state: { step: 0 }, thread: { id: threadId, rev: 1 } });
    const goneThread = freshId('gone-thread');
    await append(goneThread, ['user']);
    await client!.putCheckpoint({ agentType, agentId: 'orphan', state: {}, thread: { id: goneThread, rev: 1 } });
    expect(await client!.deleteThread({ id: goneThread })).toEqual({ deleted: true });

    const { page, errors } = await openPage(browser!);
    try {
      await page.goto(`${server!.baseUrl}#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await page.locator('#connection[data-status="connected"]').waitFor();
      await waitForSeq(page, 1);

      await append(threadId, ['tool', 'assistant']);
      await append(threadId, ['user']);
      await waitForSeq(page, 4);
      expect(await renderedSeqs(page)).toEqual([0, 1, 2, 3, 4]);
      await page.locator(`[data-agent="${agentType}/in-sync"][data-pointer-status="journal-ahead"]`).waitFor();
      await page.locator(`[data-agent="${agentType}/orphan"][data-pointer-status="missing-thread"]`).waitFor();

      const port = server!.port;
      await server!.app.stop();
      await page.locator('#watch-status[data-status="reconnecting"]').waitFor();
      server = await start(port);
      await append(threadId, ['user', 'assistant']);
      await page.locator('#journal-notice[data-caught-ups="2"]', { hasText: 'Reconnected' }).waitFor();
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await page.locator('#connection[data-status="connected"]').waitFor();
      await append(threadId, ['tool']);
      await waitForSeq(page, 7);
      expect(await renderedSeqs(page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

      await client!.putCheckpoint({ agentType, agentId: 'in-sync', state: { step: 2 }, thread: { id: threadId, rev: 8 } });
      await page.locator(`[data-agent="${agentType}/in-sync"][data-pointer-status="in-sync"]`).waitFor();
      await page.locator(`[data-agent="${agentType}/behind"][data-pointer-status="journal-ahead"]`).waitFor();
      await page.locator(`#threads [data-thread-id="${threadId}"]`).waitFor();

      await page.fill('#search-input', agentType);
      await page.click('#search button[type="submit"]');
      await page.locator('#search-results .search-result', { hasText: `${agentType}/behind` }).waitFor();
      await screenshot(page, 'dashboard');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('pages back through the whole history, jumps to a seq, shows an entry in full, filters, searches and moves by keyboard', async () => {
    const threadId = freshId('long-thread');
    const long = `${'a long payload that is never cut '.repeat(60)}THE END`;
    const kinds = ['user', 'assistant', 'tool', 'langgraph.checkpoint'];
    for (let start = 0; start < 1234; start += 500) {
      const result = await client!.appendEntries({
        threadId,
        entries: Array.from({ length: Math.min(500, 1234 - start) }, (_, i) => {
          const seq = start + i;
          if (seq === 600) return { kind: 'assistant', payload: { text: long, usage: { tokens: 812 } }, refs: { run: 'r-600' } };
          if (seq === 17) return { kind: 'user', payload: { text: 'find the needle here' } };
          if (seq % 4 === 3) return { kind: kinds[3], payload: { checkpoint: { channel_values: { messages: [{ type: 'ai', content: `step ${seq} answer` }] } }, metadata: { step: seq, source: 'loop' } } };
          return { kind: kinds[seq % 4], payload: seq % 4 === 2 ? { name: 'search', args: { q: `q${seq}` } } : { text: `message ${seq}` } };
        }),
      });
      expect(result.__typename).toBe('AppendEntriesSuccess');
    }
    const stored = await client!.thread({ id: threadId, last: 1 });
    expect(stored?.rev).toBe(1234);

    const { page, errors } = await openPage(browser!);
    try {
      await goto(page, `#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 1233);
      const rendered = await renderedSeqs(page);
      expect(rendered.length).toBeLessThan(60);
      expect(rendered[0]).toBeGreaterThan(1100);
      await expect(page.locator('#journal-rev').innerText()).resolves.toBe('rev 1,234');
      // One-glance summaries for other kinds: a LangGraph checkpoint and a tool call.
      await page.locator('#entries [data-seq="1231"] .text', { hasText: 'step 1231 (loop) · ai: step 1231 answer' }).waitFor();
      await page.locator('#entries [data-seq="1230"] .text', { hasText: 'search({"q":"q1230"})' }).waitFor();

      await page.click('#to-oldest');
      await waitForSeq(page, 0);
      await page.locator('#entries [data-seq="0"] .text', { hasText: 'message 0' }).waitFor();

      await page.fill('#jump-seq', '600');
      await page.click('#jump-form button[type="submit"]');
      await page.locator('#entry-drawer:not([hidden]) h2', { hasText: 'Entry #600' }).waitFor();
      const page600 = await client!.thread({ id: threadId, first: 1, after: entryCursor(599) });
      const { id, at } = page600!.entries.edges[0]!.node;
      await expect(page.locator('#drawer-id').innerText()).resolves.toBe(id);
      await expect(page.locator('#drawer-at').innerText()).resolves.toContain(at);
      await page.locator('#entry-drawer .json-string', { hasText: 'THE END' }).waitFor();
      await page.locator('#entry-drawer .json-key', { hasText: '"run"' }).waitFor();
      await page.locator('#entry-drawer button.copy', { hasText: 'Copy id' }).click();
      await expect(page.locator('#entry-drawer button.copy').first().getAttribute('data-copied')).resolves.toBe(id);
      await page.locator('#entries [data-seq="600"].current').waitFor();
      await screenshot(page, 'dashboard-drawer');
      await page.keyboard.press('Escape');
      await page.locator('#entry-drawer').waitFor({ state: 'hidden' });

      await page.selectOption('#kind-filter', 'tool');
      await page.locator('#journal-notice', { hasText: 'loaded entries match' }).waitFor();
      const toolKinds = await page.$$eval('#entries [data-testid="entry"]', (rows) => rows.map((row) => (row as HTMLElement).dataset.kind));
      expect(toolKinds.length).toBeGreaterThan(0);
      expect(new Set(toolKinds)).toEqual(new Set(['tool']));
      await page.selectOption('#kind-filter', '');
      await page.fill('#journal-search', 'needle');
      await page.locator('#journal-notice', { hasText: /^1 of / }).waitFor();
      expect(await renderedSeqs(page)).toEqual([17]);
      await page.fill('#journal-search', '');
      await page.locator('#journal-notice', { hasText: 'loaded entries match' }).waitFor({ state: 'detached' }).catch(() => undefined);
      await page.locator('#journal-notice:empty').waitFor({ state: 'attached' });

      await page.focus('#entries');
      await page.keyboard.press('End');
      await page.locator('#entries [data-seq="1233"].current').waitFor();
      await page.keyboard.press('ArrowUp');
      await page.locator('#entries [data-seq="1232"].current').waitFor();
      await page.keyboard.press('Enter');
      await page.locator('#entry-drawer:not([hidden]) h2', { hasText: 'Entry #1232' }).waitFor();
      await page.keyboard.press('Escape');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('entries');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('lists threads with title, count, dates and activity, finds them by prefix, and previews a thaw', async () => {
    const prefix = freshId('pfx');
    const titled = `${prefix}-b`;
    await append(`${prefix}-a`, ['note']);
    await append(titled, ['user', 'assistant', 'tool'], { metadata: { title: 'Refund for order 4411' } });
    await append(`${prefix}-c`, ['note']);
    const agentType = freshId('support');
    await client!.putCheckpoint({ agentType, agentId: 'bot', state: { goal: 'refund', memory: { facts: ['shipped'] } }, thread: { id: titled, rev: 1 } });

    const { page, errors } = await openPage(browser!);
    try {
      await goto(page);
      const row = page.locator(`#threads [data-thread-id="${titled}"]`);
      await row.locator('.thread-title', { hasText: 'Refund for order 4411' }).waitFor();
      await expect(row.locator('.thread-count').innerText()).resolves.toBe('3 entries · rev 3');
      await expect(row.locator('.thread-updated').getAttribute('title')).resolves.toMatch(/^last entry \d{4}-\d\d-\d\dT/);
      await row.locator('svg.activity[data-total="3"]').waitFor();

      await page.fill('#search-input', prefix);
      await page.click('#search button[type="submit"]');
      await page.locator('#search-results .search-result').nth(2).waitFor();
      const found = await page.locator('#search-results .search-result button').allInnerTexts();
      expect(found).toEqual([`Thread ${prefix}-a`, `Thread ${prefix}-b`, `Thread ${prefix}-c`]);

      const card = page.locator(`[data-agent="${agentType}/bot"][data-pointer-status="journal-ahead"]`);
      await card.locator('.fold-state summary').click();
      await card.locator('.json-key', { hasText: '"facts"' }).waitFor();
      await card.locator('.fold-thaw summary', { hasText: '2 pending entries' }).click();
      await card.locator('.thaw-preview li[data-seq="2"]').waitFor();
      expect(await card.locator('.thaw-preview li[data-seq]').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.seq)))).toEqual([1, 2]);
      await card.locator('.thaw-preview li[data-seq="2"] button').click();
      await page.locator('#entry-drawer:not([hidden]) h2', { hasText: 'Entry #2' }).waitFor();
      await page.locator('#journal-thread-title', { hasText: 'Refund for order 4411' }).waitFor();
      await page.locator('#journal-activity svg.activity[data-total="3"]').waitFor();

      // The server's append rate: 40 entries between two samples show as a rate above zero.
      await page.locator('#append-rate[data-rate]:not([data-rate=""])').waitFor();
      await append(`${prefix}-a`, Array.from({ length: 40 }, () => 'note'));
      await page.waitForFunction(() => Number(document.getElementById('append-rate')?.dataset.rate) > 0);
      await page.keyboard.press('Escape');
      await screenshot(page, 'dashboard-threads');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('follows the OS colour scheme, toggles it, fits 360 px, and does not shift rows while entries stream', async () => {
    const threadId = freshId('look-thread');
    await append(threadId, Array.from({ length: 40 }, (_, i) => ['user', 'assistant', 'tool'][i % 3]!), { metadata: { title: 'Layout check' } });
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const isDark = (rgb: string) => (rgb.match(/\d+/g) ?? []).slice(0, 3).every((v) => Number(v) < 60);

    const dark = await openPage(browser!, { colorScheme: 'dark' });
    try {
      await goto(dark.page, `#thread=${encodeURIComponent(threadId)}`);
      await dark.page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(dark.page, 39);
      expect(isDark(await background(dark.page))).toBe(true);
      await screenshot(dark.page, 'dashboard-dark');
      await dark.page.click('#theme-toggle');
      await expect(dark.page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('light');
      expect(isDark(await background(dark.page))).toBe(false);
      await dark.page.click('#theme-toggle');
      expect(isDark(await background(dark.page))).toBe(true);
      await dark.page.click('#theme-toggle');
      await expect(dark.page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('auto');
      expect(dark.errors).toEqual([]);
    } finally {
      await dark.page.close();
    }

    const light = await openPage(browser!);
    try {
      await goto(light.page, `#thread=${encodeURIComponent(threadId)}`);
      await light.page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(light.page, 39);
      expect(isDark(await background(light.page))).toBe(false);
      // Scrolled up, rows must not move while entries stream in below (and nothing shifts layout).
      await light.page.evaluate(() => {
        (window as unknown as { shifts: number }).shifts = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
            if (!entry.hadRecentInput) (window as unknown as { shifts: number }).shifts += entry.value;
          }
        }).observe({ type: 'layout-shift', buffered: false });
      });
      await light.page.click('#to-oldest');
      await waitForSeq(light.page, 0);
      const top = () => light.page.locator('#entries [data-seq="2"]').evaluate((row) => row.getBoundingClientRect().top);
      const before = await top();
      for (let i = 0; i < 5; i++) await append(threadId, ['assistant', 'tool']);
      await light.page.locator('#jump-new', { hasText: '10 new' }).waitFor();
      expect(await top()).toBe(before);
      await light.page.click('#jump-new');
      await waitForSeq(light.page, 49);
      expect(await light.page.evaluate(() => (window as unknown as { shifts: number }).shifts)).toBe(0);
      await screenshot(light.page, 'dashboard-light');
      expect(light.errors).toEqual([]);
    } finally {
      await light.page.close();
    }

    const narrow = await openPage(browser!, { width: 360, height: 740 });
    try {
      await goto(narrow.page);
      await narrow.page.locator('#pane-tabs').waitFor({ state: 'visible' });
      await narrow.page.locator(`#threads [data-thread-id="${threadId}"]`).click();
      await narrow.page.locator('#watch-status[data-status="live"]').waitFor();
      await narrow.page.locator('#entries').waitFor({ state: 'visible' });
      await waitForSeq(narrow.page, 49);
      await expect(narrow.page.locator('#entries [data-seq="49"]').isVisible()).resolves.toBe(true);
      expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await screenshot(narrow.page, 'dashboard-narrow');
      await narrow.page.click('#pane-tabs [data-pane="checkpoints"]');
      await narrow.page.locator('#checkpoints').waitFor({ state: 'visible' });
      await expect(narrow.page.locator('#entries').isVisible()).resolves.toBe(false);
      expect(narrow.errors).toEqual([]);
    } finally {
      await narrow.page.close();
    }
  });
});
