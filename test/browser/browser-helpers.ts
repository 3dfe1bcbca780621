import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where the browser tests write their screenshots and measurements (git-ignored). */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** Launches headless chromium, or throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records uncaught errors into `errors`. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 860 }, colorScheme: options.colorScheme ?? 'light' });
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Saves a screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The seqs of the journal rows rendered, in seq order. */
export function renderedSeqs(page: Page): Promise<number[]> {
  return page.$$eval('#entries [data-testid="entry"]', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.seq)).sort((a, b) => a - b));
}

/** Waits (on DOM state) until the journal renders the entry with this seq. */
export function waitForSeq(page: Page, seq: number): Promise<void> {
  return page.locator(`#entries [data-testid="entry"][data-seq="${seq}"]`).waitFor({ state: 'attached' });
}
