import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { tempDir } from '../client/helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts', import.meta.url).pathname;
const OPERATIONS = new URL('../../playground/operations', import.meta.url).pathname;

const savedNames = readdirSync(OPERATIONS)
  .filter((file) => file.endsWith('.graphql'))
  .flatMap((file) => [...readFileSync(join(OPERATIONS, file), 'utf8').matchAll(/^(?:query|mutation|subscription)\s+(\w+)/gm)].map((m) => m[1]!));
const savedAppendVariables = (JSON.parse(readFileSync(join(OPERATIONS, 'variables.json'), 'utf8')) as Record<string, any>)['AppendEntries'];

/** The README's first request (section first-steps, first heredoc): `{ query, variables }`. */
function readmeFirstRequest(): { query: string; variables: { input: { threadId: string; entries: { payload: { text: string } }[] } } } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = /<!-- section:first-steps -->([\s\S]*?)<!-- \/section:first-steps -->/.exec(readme)?.[1] ?? '';
  const body = /<<'JSON'\n([\s\S]*?)\nJSON\n/.exec(section)?.[1];
  if (!body) throw new Error('README section first-steps has no <<\'JSON\' request');
  return JSON.parse(body);
}

let browser: Browser | undefined;
let app: TestApp | undefined;
let dist: { path: string; remove(): Promise<void> } | undefined;

/** A page that records every URL it requests (WebSockets too) and every uncaught error. */
async function openPage(): Promise<{ page: Page; requested: string[]; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(30_000);
  const requested: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => requested.push(socket.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, requested, errors };
}

/** Replaces the text of the Monaco editor inside `container` with `text` (one line: Monaco auto-indents typed newlines). */
async function replaceEditorText(page: Page, container: string, text: string): Promise<void> {
  await page.locator(`${container} .monaco-editor .view-lines`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** replaceEditorText, then deletes whatever Monaco auto-closed after the cursor (a stray `"}`). */
async function setEditorText(page: Page, container: string, text: string): Promise<void> {
  await replaceEditorText(page, container, text);
  await page.keyboard.press('Shift+ControlOrMeta+End');
  await page.keyboard.press('Delete');
}

/** The requests that went anywhere but the app's host:port (data: and blob: URLs are in-page). */
function offOrigin(requested: string[]): string[] {
  const { host, origin } = new URL(app!.url);
  return requested.filter((url) => !url.startsWith('data:') && !url.startsWith(`blob:${origin}/`) && new URL(url).host !== host);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dist = await tempDir('cryo-graphiql-dist-');
  await buildDashboard(dist.path);
  app = await startTestApp('memory', {}, { dashboardDir: dist.path, operationsDir: OPERATIONS });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await dist?.remove();
});

describe('GraphiQL in headless chromium', () => {
  it('loads from the app alone, opens the saved operations as tabs, runs the README\'s first mutation, and the dashboard shows its entries', async () => {
    const { query, variables } = readmeFirstRequest();
    expect(query).toMatch(/^\s*mutation\b[\s\S]*appendEntries/);
    const threadId = variables.input.threadId;
    const texts = variables.input.entries.map((entry) => entry.payload.text);
    expect(texts.length).toBeGreaterThan(0);

    const graphiql = await openPage();
    try {
      const { page } = graphiql;
      await page.goto(app!.graphqlUrl);
      await page.locator('.graphiql-tab').nth(savedNames.length - 1).waitFor();
      const titles = await page.locator('.graphiql-tab-button').allInnerTexts();
      expect(titles.map((t) => t.trim()).sort()).toEqual([...savedNames].sort());
      await expect(page.locator('.graphiql-tab-active .graphiql-tab-button').innerText()).resolves.toBe('AppendEntries');
      await page.locator('.graphiql-query-editor .view-lines', { hasText: 'mutation AppendEntries' }).waitFor();
      await page.locator('.graphiql-editor-tool .view-lines', { hasText: savedAppendVariables.input.threadId }).waitFor();

      await page.locator('.graphiql-tab-add').click();
      await page.locator('.graphiql-tab').nth(savedNames.length).waitFor();
      await replaceEditorText(page, '.graphiql-query-editor', query);
      await replaceEditorText(page, '.graphiql-editor-tool', JSON.stringify(variables));
      await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: /^Append$/ }).waitFor();
      await page.locator('button[aria-label^="Prettify"]').click();
      await page.locator('.graphiql-query-editor .view-line', { hasText: /^\s*appendEntries\(input:\s\$input\)\s\{$/ }).waitFor();
      await page.locator('.graphiql-execute-button').click();
      await page.locator('.result-window', { hasText: 'AppendEntriesSuccess' }).waitFor();
      const stored = await app!.data(`query ($id: ID!) { thread(id: $id) { rev } }`, { id: threadId });
      expect(stored.thread.rev).toBe(texts.length);

      await mkdir(ARTIFACTS, { recursive: true });
      await page.locator('.graphiql-tab-active').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });
      expect(offOrigin(graphiql.requested)).toEqual([]);
      expect(graphiql.requested.some((url) => url.startsWith('blob:'))).toBe(true);
      expect(graphiql.errors).toEqual([]);
    } catch (error) {
      await mkdir(ARTIFACTS, { recursive: true });
      await graphiql.page.screenshot({ path: join(ARTIFACTS, 'graphiql-failure.png') });
      throw error;
    } finally {
      await graphiql.page.close();
    }

    const dashboard = await openPage();
    try {
      const { page } = dashboard;
      await page.goto(`${app!.url}#thread=${encodeURIComponent(threadId)}`);
      await page.locator('#watch-status[data-status="live"]').waitFor();
      for (const [seq, text] of texts.entries()) await page.locator(`#entries [data-seq="${seq}"]`, { hasText: text }).waitFor();
      expect(offOrigin(dashboard.requested)).toEqual([]);
      expect(dashboard.requested.some((url) => url.startsWith('ws://'))).toBe(true);
      expect(dashboard.errors).toEqual([]);
    } finally {
      await dashboard.page.close();
    }
  });

  it('fits the saved tabs, accepts objects in JSON variables, replays AppendEntries idempotently, and shows every subscription event in order', async () => {
    const fresh = await startTestApp('memory', {}, { operationsDir: OPERATIONS });
    const graphiql = await openPage();
    try {
      const { page } = graphiql;
      await page.setViewportSize({ width: 1400, height: 2000 });
      await page.goto(fresh.graphqlUrl);
      await page.locator('.graphiql-tab').nth(savedNames.length - 1).waitFor();
      const outside = await page.$$eval('.graphiql-tab', (tabs) =>
        tabs.map((tab) => tab.getBoundingClientRect()).filter((r) => r.left < 0 || r.right > window.innerWidth || r.width === 0).length);
      expect(outside).toBe(0);

      // The variables editor validates: a number for an ID is marked, the saved objects are not.
      const squiggles = '.graphiql-editor-tool .squiggly-error';
      const saved = JSON.stringify(savedAppendVariables);
      await setEditorText(page, '.graphiql-editor-tool', saved.replace('"threadId":"demo-thread"', '"threadId":5'));
      await page.locator(squiggles).first().waitFor();
      await setEditorText(page, '.graphiql-editor-tool', saved);
      await page.waitForFunction((selector) => document.querySelectorAll(selector).length === 0, squiggles);
      expect(saved).toContain('"metadata":{"title"');

      // The saved AppendEntries twice: the second run is a replay that writes nothing.
      const result = () => page.locator('.result-window .view-lines');
      await page.locator('.graphiql-execute-button').click();
      await result().filter({ hasText: '"replayed": false' }).waitFor();
      await page.locator('.graphiql-execute-button').click();
      await result().filter({ hasText: '"replayed": true' }).waitFor();
      const stored = await fresh.data(`query { thread(id: "demo-thread") { rev entries { edges { node { id } } } } }`);
      expect(stored.thread.rev).toBe(2);
      expect(stored.thread.entries.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['demo-entry-1', 'demo-entry-2']);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'graphiql-replay.png'), clip: { x: 0, y: 0, width: 1400, height: 860 } });

      // ThreadEntries from seq 0: two stored entries, CaughtUp, then one appended live.
      // A plain click can land while the (draggable) tabs animate; the click event itself selects the tab.
      await page.locator('.graphiql-tab-button', { hasText: /^ThreadEntries$/ }).dispatchEvent('click');
      await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: /^ThreadEntries$/ }).waitFor();
      await page.locator('.graphiql-query-editor .view-lines', { hasText: 'subscription ThreadEntries' }).waitFor();
      // GraphiQL takes the operation name of a tab it switched to from a debounced parse of the
      // editor, so a run right after the switch can still carry the previous tab's name ("Cannot
      // infer operation AppendEntries", nothing sent). Run once more on that answer, as a person would.
      await page.locator('.graphiql-execute-button').click();
      const answer = result().filter({ hasText: /3\s+events\s+so\s+far|Cannot\s+infer\s+operation/ });
      await answer.waitFor();
      if (!/3\s+events\s+so\s+far/.test(await answer.innerText())) {
        // By the time that answer is shown the parse has run: the second run names ThreadEntries.
        await page.locator('.graphiql-execute-button').click();
        await result().filter({ hasText: '3 events so far' }).waitFor();
      }
      const appended = await fresh.data(`mutation { appendEntries(input: { threadId: "demo-thread", entries: [{ id: "live-1", kind: "tool", payload: { name: "wave" } }] }) { __typename } }`);
      expect(appended.appendEntries.__typename).toBe('AppendEntriesSuccess');
      await result().filter({ hasText: '4 events so far' }).waitFor();
      const shown = JSON.parse(
        await page.$$eval('.result-window .view-line', (lines) =>
          lines
            .map((line) => ({ top: parseFloat((line as HTMLElement).style.top), text: line.textContent ?? '' }))
            .sort((a, b) => a.top - b.top)
            .map((line) => line.text.replace(/\u00a0/g, ' '))
            .join('\n')),
      ) as { subscription: string; events: { '#': number; data: { threadEntries: { __typename: string; seq?: number; rev?: number } } }[] };
      expect(shown.subscription).toBe('ThreadEntries: 4 events so far, oldest first');
      expect(shown.events.map((e) => e['#'])).toEqual([1, 2, 3, 4]);
      expect(shown.events.map((e) => [e.data.threadEntries.__typename, e.data.threadEntries.seq ?? e.data.threadEntries.rev])).toEqual([
        ['Entry', 0],
        ['Entry', 1],
        ['CaughtUp', 2],
        ['Entry', 2],
      ]);
      await page.screenshot({ path: join(ARTIFACTS, 'graphiql-subscription.png'), clip: { x: 0, y: 0, width: 1400, height: 860 } });
      await page.locator('.graphiql-execute-button').click();
      expect(graphiql.errors).toEqual([]);
    } catch (error) {
      await mkdir(ARTIFACTS, { recursive: true });
      await graphiql.page.screenshot({ path: join(ARTIFACTS, 'graphiql-failure.png') });
      throw error;
    } finally {
      await graphiql.page.close();
      await fresh.close();
    }
  });
});
