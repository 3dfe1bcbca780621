import { createCryoClient } from '../../src/client/cryo-client.js';
import { ensureAccess, sessionToken } from './access.js';
import { ActivityTracker } from './activity.js';
import { CheckpointsPanel } from './checkpoints-panel.js';
import { byId } from './dom.js';
import { HealthMonitor } from './health.js';
import { JournalPanel } from './journal-panel.js';
import { setUpPanes } from './panes.js';
import { setUpSearch } from './search.js';
import { ServerRate } from './server-rate.js';
import { setUpTheme } from './theme.js';
import { ThreadsPanel } from './threads-panel.js';

/** How often lists, activity, the append rate and the open journal's head are re-read (`?refresh=<ms>` overrides, for demos and tests). */
const REFRESH_MS = Math.max(250, Number(new URLSearchParams(location.search).get('refresh')) || 5000);

const graphqlUrl = new URL('/graphql', location.href).href;
await ensureAccess(graphqlUrl);
const client = createCryoClient({ url: graphqlUrl, token: sessionToken });
const health = new HealthMonitor(byId('health-banner'), new URL('/ready', location.href).href);
const activity = new ActivityTracker();
const rate = new ServerRate(byId('server-rate'), REFRESH_MS);
const showPane = setUpPanes(byId('layout'), byId('pane-tabs'));
setUpTheme(byId<HTMLButtonElement>('theme-toggle'));

const connection = byId('connection');
const connectionLabels = { idle: 'Idle', connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected · retrying' };

function openThread(threadId: string, seq?: number): void {
  location.hash = `thread=${encodeURIComponent(threadId)}${seq === undefined ? '' : `&seq=${seq}`}`;
}

const threads = new ThreadsPanel(client, byId('threads'), byId('threads-pager'), activity, (id) => openThread(id));
const checkpoints = new CheckpointsPanel(client, byId('checkpoints'), openThread);
const journal = new JournalPanel(client, byId('journal'), health, activity, (threadId, head) => {
  threads.noteHead(threadId, head);
  checkpoints.noteRev(threadId, head.rev);
});
setUpSearch(client, byId<HTMLFormElement>('search'), byId<HTMLInputElement>('search-input'), byId('search-results'), (id) => openThread(id));

/** Runs one refresh step; a failure goes to the health banner, a success clears it. */
async function step(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
    health.reportOk();
  } catch (error) {
    health.reportError(error);
  }
}

function refreshAll(): void {
  void step(async () => {
    await threads.refresh();
    await activity.update(client, threads.threads);
    threads.render();
  });
  void step(() => checkpoints.refresh());
  void step(() => rate.sample(client));
  void journal.verify();
}

function showHashThread(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const threadId = params.get('thread');
  const seq = params.get('seq');
  threads.select(threadId);
  if (threadId) {
    showPane('journal');
    void journal.open(threadId, seq === null ? null : Number(seq));
  } else journal.close();
}

function renderConnection(): void {
  const state = client.connectionState;
  const trouble = health.current.kind;
  connection.dataset.status = state;
  connection.dataset.health = trouble;
  connection.textContent =
    state === 'connected' && trouble !== 'ok' ? `Connected · ${trouble === 'unreachable' ? 'server unreachable' : 'storage failing'}` : connectionLabels[state];
}

let wasDisconnected = false;
client.onConnection((state) => {
  renderConnection();
  if (state === 'disconnected') wasDisconnected = true;
  if (state === 'connected' && wasDisconnected) {
    wasDisconnected = false;
    refreshAll();
  }
});
health.onChange(renderConnection);

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement;
  const typing = target.closest('input, textarea, select');
  if (event.key === '/' && !typing) {
    event.preventDefault();
    (document.getElementById('journal-search') ?? byId('search-input')).focus();
  }
});

client.watchCheckpoints({
  onEvent: (event) => checkpoints.apply(event),
  onStatus: (_status, error) => health.reportError(error),
});
client
  .serverInfo()
  .then((info) => {
    byId('server-info').textContent = `v${info.version} · ${info.storage} storage`;
  })
  .catch(() => undefined);

window.addEventListener('hashchange', showHashThread);
showHashThread();
health.start();
refreshAll();
setInterval(() => {
  if (document.visibilityState === 'visible') refreshAll();
}, REFRESH_MS);
