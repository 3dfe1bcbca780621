import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { buildApp, type App } from '../../src/app.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { defineConfig } from '../../src/config.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { tempDir } from '../client/helpers.js';

const CHROMIUM = '/usr/bin/chromium';

let browser: Browser | undefined;
let app: App | undefined;
let url = '';
let token = '';
let dist: { path: string; remove(): Promise<void> } | undefined;
const storage = createMemoryStorage();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dist = await tempDir('cryo-browser-access-');
  await buildDashboard(dist.path);
  app = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: 'memory:', shutdownGraceMs: 1000, auth: { mode: 'on' } }), {
    storage,
    dashboardDir: dist.path,
  });
  url = (await app.start()).url;
  token = (await issueApiKey(storage, { namespace: 'browser-ns', scopes: ['read', 'write'] })).secret;
  await storage.appendEntries({ namespace: 'browser-ns', threadId: 'visible-thread', entries: [{ kind: 'note' }] });
  await storage.appendEntries({ namespace: 'other-ns', threadId: 'hidden-thread', entries: [{ kind: 'note' }] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await storage.close();
  await dist?.remove();
});

describe('signing in, in headless chromium', () => {
  it('the dashboard asks for a token, refuses a bad one, keeps the good one in sessionStorage only, and shows who you are', async () => {
    const page = await browser!.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    const dialog = page.locator('dialog#sign-in');
    await dialog.waitFor();
    await dialog.locator('input').fill('cryo_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await dialog.locator('button').click();
    await page.locator('dialog#sign-in .sign-in-message', { hasText: 'refused' }).waitFor();
    await page.locator('dialog#sign-in input').fill(token);
    await page.locator('dialog#sign-in button').click();
    await page.locator('#viewer', { hasText: 'browser-ns · read, write' }).waitFor();
    await page.locator('#threads [data-thread-id="visible-thread"]').waitFor();
    await page.locator('#connection[data-status="connected"]').waitFor();
    expect(await page.locator('#threads [data-thread-id="hidden-thread"]').count()).toBe(0);
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('cryo.token'), local: JSON.stringify(localStorage) }));
    expect(stored.session).toBe(token);
    expect(stored.local.includes(token)).toBe(false);
    await page.locator('#sign-out').click();
    await page.locator('dialog#sign-in').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cryo.token'))).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('GraphiQL asks for a token and sends it (HTTP), showing who you are', async () => {
    const page = await browser!.newPage();
    page.setDefaultTimeout(30_000);
    page.on('dialog', (prompt) => void prompt.accept(token));
    await page.goto(`${url}graphql`);
    await page.locator('#cryo-viewer', { hasText: 'browser-ns · read, write' }).waitFor();
    const local = await page.evaluate(() => JSON.stringify(localStorage));
    expect(local.includes(token)).toBe(false);
    await page.close();
  });
});
