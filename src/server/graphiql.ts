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
