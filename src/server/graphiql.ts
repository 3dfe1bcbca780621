import type { GraphiQLOptions } from 'graphql-yoga';
import type { GraphiqlTab } from './graphiql-tabs.js';

/**
 * GraphiQL at /graphql (development only): the playground's saved operations as default tabs
 * (GraphiQL uses them only when the browser has no saved tab state yet), the variables editor
 * open, and the headers editor on and persisted, so credentials pasted once survive reloads.
 * Subscriptions run over graphql-ws on the same path. Does not touch auth itself.
 */
export function cryoGraphiQLOptions(tabs: GraphiqlTab[]): GraphiQLOptions {
  return {
    title: 'Cryo',
    defaultTabs: tabs,
    subscriptionsProtocol: 'WS',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'variables',
  };
}

let rendered: { key: string; html: Buffer<ArrayBuffer> } | undefined;

/**
 * Yoga's `renderGraphiQL`: the self-contained page of `@graphql-yoga/render-graphiql` (GraphiQL's
 * JS, CSS, fonts, favicon and Monaco workers inlined, about 9 MB), so GraphiQL works with no
 * internet access; Yoga's built-in page loads all of them from unpkg.com. The package is
 * imported on the first GraphiQL request only (production, which has no GraphiQL, never loads
 * it), and the page is rendered once per distinct options. Does not compress or cache-tag it.
 */
export async function renderCryoGraphiQL(options: GraphiQLOptions): Promise<Buffer<ArrayBuffer>> {
  const key = JSON.stringify(options);
  if (rendered?.key !== key) {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    rendered = { key, html: Buffer.from(renderGraphiQL(options)) };
  }
  return rendered.html;
}
