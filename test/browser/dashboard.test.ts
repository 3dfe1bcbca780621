import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import type { CryoClient } from '../../src/client/index.js';
import { clientFor, freshId, startServer, tempDir, type TestServer } from '../client/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts', import.meta.url).pathname;

let browser: Browser | undefined;
let server: TestServer | undefined;
let client: CryoClient | undefined;
let data: { path: string; remove(): Promise<void> } | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

/** The seqs of the journal rows on the page, in DOM order. */
const seqsOnPage = (page: Page) =>
  page.$$eval('#entries [data-testid="entry"]', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.seq)));

/** Waits (on DOM state) until the journal shows an entry with this seq. */
const waitForSeq = (page: Page, seq: number) => page.locator(`#entries [data-seq="${seq}"]`).waitFor({ state: 'attached' });

async function start(port = 0): Promise<TestServer> {
  return startServer({ storage: `file:${data!.path}`, port, app: { dashboardDir: dist!.path } });
}

async function append(threadId: string, kinds: string[]): Promise<void> {
  const result = await client!.appendEntries({ threadId, entries: kinds.map((kind, i) => ({ kind, payload: { text: `${kind} message ${i}` } })) });
  expect(result.__typename).toBe('AppendEntriesSuccess');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  data = await tempDir('cryo-browser-data-');
  dist = await tempDir('cryo-browser-dist-');
  await buildDashboard(dist.path);
  server = await start();
  client = clientFor(server);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

    const page = await browser!.newPage({ viewport: { width: 1400, height: 860 } });
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(`${server!.baseUrl}#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await page.locator('#connection[data-status="connected"]').waitFor();
      await waitForSeq(page, 1);

      await append(threadId, ['tool', 'assistant']);
      await append(threadId, ['user']);
      await waitForSeq(page, 4);
      expect(await seqsOnPage(page)).toEqual([0, 1, 2, 3, 4]);
      await page.locator(`[data-agent="${agentType}/in-sync"][data-pointer-status="journal-ahead"]`).waitFor();
      await page.locator(`[data-agent="${agentType}/orphan"][data-pointer-status="missing-thread"]`).waitFor();

      const port = server!.port;
      await server!.app.stop();
      await page.locator('#watch-status[data-status="reconnecting"]').waitFor();
      server = await start(port);
      await append(threadId, ['user', 'assistant']);
      await page.locator('#entries .caught-up').nth(1).waitFor({ state: 'attached' });
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await page.locator('#connection[data-status="connected"]').waitFor();
      await append(threadId, ['tool']);
      await waitForSeq(page, 7);
      expect(await seqsOnPage(page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

      await client!.putCheckpoint({ agentType, agentId: 'in-sync', state: { step: 2 }, thread: { id: threadId, rev: 8 } });
      await page.locator(`[data-agent="${agentType}/in-sync"][data-pointer-status="in-sync"]`).waitFor();
      await page.locator(`[data-agent="${agentType}/behind"][data-pointer-status="journal-ahead"]`).waitFor();
      await page.locator(`#threads [data-thread-id="${threadId}"]`).waitFor();

      await page.fill('#search-input', agentType);
      await page.click('#search button[type="submit"]');
      await page.locator('#search-results .search-result', { hasText: `${agentType}/behind` }).waitFor();

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
