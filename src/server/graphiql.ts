import type { GraphiQLOptions } from 'graphql-yoga';
import { patchGraphiQLPage } from './graphiql-page.js';
import type { GraphiqlTab } from './graphiql-tabs.js';

/** Props Yoga's GraphiQL page reads (its initial editor contents) beyond its typed options. */
type WithInitialEditors = GraphiQLOptions & { query?: string; variables?: string };

/**
 * GraphiQL at /graphql (development only): the playground's saved operations as default tabs
 * (GraphiQL uses them only when the browser has no saved tab state yet), the variables editor
 * open, and the headers editor on and persisted, so credentials pasted once survive reloads.
 * Subscriptions run over graphql-ws on the same path. Does not touch auth itself.
 *
 * A request without `?query=` (a fresh visit) also gets the first tab's query and variables as
 * the initial editor contents: GraphiQL fills the first tab's query editor but not its variables
 * editor from `defaultTabs`, and on a later fresh visit it adds and opens an empty
 * "<untitled>" tab (no tab matches an empty query). With them, the first saved tab opens with its
 * variables (or is re-added unedited if you changed it). With `?query=` (Yoga writes it into
 * the URL as you edit) GraphiQL's own restore is left alone.
 */
export function cryoGraphiQLOptions(tabs: GraphiqlTab[]): (request: Request) => GraphiQLOptions {
  const base: GraphiQLOptions = {
    title: 'Cryo',
    defaultTabs: tabs,
    subscriptionsProtocol: 'WS',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'variables',
  };
  const first = tabs[0];
  if (!first) return () => base;
  const fresh: WithInitialEditors = { ...base, query: first.query, variables: first.variables ?? '' };
  return (request) => (new URL(request.url).searchParams.has('query') ? base : fresh);
}

const rendered = new Map<string, Buffer<ArrayBuffer>>();

/**
 * Yoga's `renderGraphiQL`: the self-contained page of `@graphql-yoga/render-graphiql` (GraphiQL's
 * JS, CSS, fonts, favicon and Monaco workers inlined, about 9 MB), so GraphiQL works with no
 * internet access; Yoga's built-in page loads all of them from unpkg.com. The package is
 * imported on the first GraphiQL request only (production, which has no GraphiQL, never loads
 * it), and pages are kept per distinct options (a few). The page gets Cryo's fixes (JSON scalars
 * in the variables editor, tabs that fit, every subscription event: see graphiql-page.ts).
 * Does not compress or cache-tag them.
 */
export async function renderCryoGraphiQL(options: GraphiQLOptions): Promise<Buffer<ArrayBuffer>> {
  const key = JSON.stringify(options);
  let html = rendered.get(key);
  if (!html) {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    html = Buffer.from(patchGraphiQLPage(renderGraphiQL(options)).html);
    if (rendered.size >= 4) rendered.clear();
    rendered.set(key, html);
  }
  return html;
}
