import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { buildApp, type App } from '../../src/app.js';
import type { CryoClient } from '../../src/client/index.js';
import { defineConfig } from '../../src/config.js';
import { clientFor, freshId, tempDir } from '../client/helpers.js';
import { CAN_OWN_REDIS, startRedis, type TestRedis } from '../support/redis-server.js';
import { launchChromium, openPage, renderedSeqs, screenshot, waitForSeq } from './browser-helpers.js';

let browser: Browser | undefined;
let redis: TestRedis | undefined;
let app: App | undefined;
let client: CryoClient | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;
let baseUrl = '';

beforeAll(async () => {
  if (!CAN_OWN_REDIS) return;
  dist = await tempDir('cryo-outage-dist-');
  await buildDashboard(dist.path);
  redis = await startRedis({ ownServer: true });
  app = await buildApp(
    defineConfig({ port: 0, storage: redis.url, logLevel: 'silent', shutdownGraceMs: 500, storageTimeoutMs: 500 }),
    { dashboardDir: dist.path },
  );
  const { url } = await app.start();
  baseUrl = url;
  client = clientFor({ graphqlUrl: `${url}graphql` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await app?.stop();
  await redis?.close();
  await dist?.remove();
});

describe.skipIf(!CAN_OWN_REDIS)('dashboard during a storage outage (Redis stopped, then back empty)', () => {
  it('shows a banner and a Stalled badge while Redis is down, then follows the thread again when it is re-created', async () => {
    const threadId = freshId('outage-thread');
    const first = await client!.appendEntries({ threadId, entries: ['user', 'assistant', 'tool'].map((kind) => ({ kind, payload: { text: `before the outage: ${kind}` } })) });
    expect(first.__typename).toBe('AppendEntriesSuccess');

    const { page, errors } = await openPage(browser!);
    try {
      await page.goto(`${baseUrl}?refresh=500#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await waitForSeq(page, 2);
      await expect(page.locator('#health-banner').isHidden()).resolves.toBe(true);

      await redis!.stop();
      await page.locator('#health-banner:not([hidden])', { hasText: /not ready: storage unavailable|Storage calls are failing/ }).waitFor();
      await page.locator('#watch-status[data-status="stalled"], #watch-status[data-status="reconnecting"]').waitFor();
      await page.locator('#connection:not([data-health="ok"])').waitFor();
      await expect(page.locator('#connection').innerText()).resolves.not.toBe('Connected');
      await screenshot(page, 'dashboard-outage');

      // Redis comes back without the data (no persistence): the thread is gone, then re-created.
      await redis!.start();
      await page.locator('#health-banner').waitFor({ state: 'hidden' });
      await page.locator('#journal-notice', { hasText: /gone|fewer entries/ }).waitFor();
      const again = await client!.appendEntries({ threadId, entries: [{ kind: 'user', payload: { text: 'after the outage' } }] });
      expect(again.__typename).toBe('AppendEntriesSuccess');
      await page.locator('#entries [data-seq="0"] .text', { hasText: 'after the outage' }).waitFor();
      await page.locator('#watch-status[data-status="live"]').waitFor();
      await page.locator('#journal-notice', { hasText: 'back' }).waitFor();
      expect(await renderedSeqs(page)).toEqual([0]);
      await expect(page.locator('#watch-status').innerText()).resolves.toBe('Live');
      await page.locator(`#threads [data-thread-id="${threadId}"] .thread-count`, { hasText: '1 entry' }).waitFor();
      await screenshot(page, 'dashboard-after-outage');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
