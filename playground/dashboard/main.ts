import { createCryoClient } from '../../src/client/cryo-client.js';
import { ensureAccess, sessionToken } from './access.js';
import { CheckpointsPanel } from './checkpoints-panel.js';
import { byId } from './dom.js';
import { JournalPanel } from './journal-panel.js';
import { setUpSearch } from './search.js';
import { ThreadsPanel } from './threads-panel.js';

/** How often the thread list and checkpoints are re-read (new threads and other journals' revs have no subscription). */
const REFRESH_MS = 5000;

const graphqlUrl = new URL('/graphql', location.href).href;
await ensureAccess(graphqlUrl);
const client = createCryoClient({ url: graphqlUrl, token: sessionToken });

const connection = byId('connection');
const connectionLabels = { idle: 'Idle', connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected · retrying' };

function openThread(threadId: string): void {
  location.hash = `thread=${encodeURIComponent(threadId)}`;
}

const threads = new ThreadsPanel(client, byId('threads'), byId('threads-pager'), openThread);
const checkpoints = new CheckpointsPanel(client, byId('checkpoints'), openThread);
const journal = new JournalPanel(client, byId('journal'), (threadId, rev) => {
  threads.noteRev(threadId, rev);
  checkpoints.noteRev(threadId, rev);
});
setUpSearch(client, byId<HTMLFormElement>('search'), byId<HTMLInputElement>('search-input'), byId('search-results'), openThread);

function refreshLists(): void {
  threads.refresh().catch(() => undefined);
  checkpoints.refresh().catch(() => undefined);
}

function showHashThread(): void {
  const match = /^#thread=(.+)$/.exec(location.hash);
  const threadId = match?.[1] ? decodeURIComponent(match[1]) : null;
  threads.select(threadId);
  if (threadId) void journal.open(threadId);
  else journal.close();
}

let wasDisconnected = false;
client.onConnection((state) => {
  connection.dataset.status = state;
  connection.textContent = connectionLabels[state];
  if (state === 'disconnected') wasDisconnected = true;
  if (state === 'connected' && wasDisconnected) {
    wasDisconnected = false;
    refreshLists();
  }
});

client.watchCheckpoints({ onEvent: (event) => checkpoints.apply(event) });
client
  .serverInfo()
  .then((info) => {
    byId('server-info').textContent = `v${info.version} · ${info.storage} storage`;
  })
  .catch(() => undefined);

window.addEventListener('hashchange', showHashThread);
showHashThread();
refreshLists();
setInterval(() => {
  if (document.visibilityState === 'visible' && client.connectionState === 'connected') refreshLists();
}, REFRESH_MS);
