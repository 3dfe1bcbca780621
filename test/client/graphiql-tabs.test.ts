import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

const dir = new URL('../../playground/operations', import.meta.url).pathname;
const savedNames = readdirSync(dir)
  .filter((file) => file.endsWith('.graphql'))
  .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/^(?:query|mutation|subscription)\s+(\w+)/gm)].map((m) => m[1]!));
const variables = JSON.parse(readFileSync(join(dir, 'variables.json'), 'utf8')) as Record<string, unknown>;

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.app.stop();
});

/** The options object Yoga embeds in its GraphiQL page. */
async function graphiqlOptions(): Promise<{ defaultTabs: { query: string; variables?: string }[]; shouldPersistHeaders?: boolean; isHeadersEditorEnabled?: boolean }> {
  const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  const html = await response.text();
  const json = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);\s*<\/script>/s.exec(html)?.[1];
  if (!json) throw new Error(`no GraphiQL options in ${html.slice(0, 300)}`);
  return JSON.parse(json);
}

describe('GraphiQL at /graphql', () => {
  it('opens with every saved operation as a tab, with its fragments and example variables', async () => {
    expect(savedNames.length).toBeGreaterThanOrEqual(13);
    const options = await graphiqlOptions();
    const byName = new Map(options.defaultTabs.map((tab) => [/^(?:query|mutation|subscription)\s+(\w+)/m.exec(tab.query)?.[1], tab]));
    expect([...byName.keys()].sort()).toEqual([...savedNames].sort());
    for (const name of savedNames) {
      const tab = byName.get(name)!;
      for (const spread of tab.query.matchAll(/\.\.\.(\w+Fields)/g)) expect(tab.query).toContain(`fragment ${spread[1]} on`);
      expect(JSON.parse(tab.variables ?? '{}')).toEqual(variables[name]);
    }
  });

  it('has the headers editor on and persisted, for credentials', async () => {
    const options = await graphiqlOptions();
    expect(options.isHeadersEditorEnabled).toBe(true);
    expect(options.shouldPersistHeaders).toBe(true);
  });
});
