import type { CheckpointEvent, CryoClient } from '../../src/client/cryo-client.js';
import type { CheckpointFieldsFragment } from '../../src/client/gql/graphql.js';
import { entryCursor } from './cursors.js';
import { h, replaceChildren } from './dom.js';
import { kindClass } from './entry-drawer.js';
import type { Entry } from './entry-store.js';
import { fullDate, jsonPreview, timeAgo } from './format.js';
import { jsonView } from './json-view.js';
import { pointerStatus, pointerStatusLabel } from './pointer-status.js';
import { summarizeEntry } from './summarize.js';

const PAGE_SIZE = 50;
/** Pending entries shown by a thaw preview. */
const PREVIEW = 20;

/**
 * Checkpoints (first PAGE_SIZE, ordered by agent) with their pointer status, their state in a
 * foldable JSON viewer and, when the journal is ahead, a "thaw preview": the entries after the
 * pointer that `thaw(allowJournalAhead: true)` would return as pendingEntries (read as a page of
 * the thread, not by calling thaw). Kept current by the checkpointEvents subscription and by the
 * revs the open journal reports. Events missed while disconnected are recovered by refresh().
 */
export class CheckpointsPanel {
  #client: CryoClient;
  #list: HTMLElement;
  #onOpenThread: (threadId: string, seq?: number) => void;
  #checkpoints = new Map<string, CheckpointFieldsFragment>();
  #liveRevs = new Map<string, number>();
  #more = false;
  /** Which cards have their state or thaw preview unfolded (kept across re-renders). */
  #open = new Set<string>();
  #previews = new Map<string, { pointerRev: number; rev: number; entries: Entry[] | 'loading' | 'failed' }>();

  constructor(client: CryoClient, list: HTMLElement, onOpenThread: (threadId: string, seq?: number) => void) {
    this.#client = client;
    this.#list = list;
    this.#onOpenThread = onOpenThread;
  }

  /** Re-reads the list. */
  async refresh(): Promise<void> {
    const page = await this.#client.checkpoints({ first: PAGE_SIZE });
    this.#checkpoints = new Map(page.edges.map((edge) => [key(edge.node), edge.node]));
    this.#liveRevs.clear();
    this.#more = page.pageInfo.hasNextPage;
    this.#render();
  }

  /** Applies one checkpointEvents event. */
  apply(event: CheckpointEvent): void {
    if (event.__typename === 'CheckpointSaved') this.#checkpoints.set(key(event.checkpoint), event.checkpoint);
    else this.#checkpoints.delete(key(event));
    this.#render();
  }

  /** A journal the page is watching reached `rev`: pointers into it may now be behind. */
  noteRev(threadId: string, rev: number): void {
    this.#liveRevs.set(threadId, rev);
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #frame = 0;

  #render(): void {
    const sorted = [...this.#checkpoints.values()].sort((a, b) => key(a).localeCompare(key(b)));
    replaceChildren(
      this.#list,
      ...sorted.map((checkpoint) => this.#card(checkpoint)),
      sorted.length === 0 ? h('li', { class: 'muted empty-list' }, 'No checkpoints yet. Try the PutCheckpoint or Hibernate tab.') : null,
      this.#more ? h('li', { class: 'muted' }, `Showing the first ${PAGE_SIZE}; search for an agent type to narrow.`) : null,
    );
  }

  #card(checkpoint: CheckpointFieldsFragment) {
    const pointer = checkpoint.thread;
    const status = pointerStatus(checkpoint, pointer ? this.#liveRevs.get(pointer.id) : undefined);
    const id = key(checkpoint);
    const foldable = (part: string, summary: Node | string, body: () => Node) => {
      const details = h('details', { class: `fold fold-${part}`, open: this.#open.has(`${part}:${id}`) }, h('summary', {}, summary));
      let built = false;
      const build = () => {
        if (built || !details.open) return;
        built = true;
        details.append(body());
      };
      details.addEventListener('toggle', () => {
        if (details.open) this.#open.add(`${part}:${id}`);
        else this.#open.delete(`${part}:${id}`);
        build();
      });
      build();
      return details;
    };
    return h(
      'li',
      { class: 'checkpoint', 'data-agent': id, 'data-pointer-status': status.kind },
      h('div', { class: 'checkpoint-head' },
        h('strong', {}, id),
        h('span', { class: `pointer-status status-${status.kind}` }, pointerStatusLabel(status))),
      h('p', { class: 'muted' }, `rev ${checkpoint.rev} · state v${checkpoint.version} · saved `,
        h('time', { datetime: checkpoint.updatedAt, title: fullDate(checkpoint.updatedAt) }, timeAgo(checkpoint.updatedAt))),
      pointer
        ? h('button', { class: 'link', type: 'button', onclick: () => this.#onOpenThread(pointer.id) }, `→ ${pointer.id} @ rev ${pointer.rev}`)
        : null,
      foldable('state', h('code', { class: 'payload' }, jsonPreview(checkpoint.state, 120)), () => jsonView(checkpoint.state)),
      pointer && status.kind === 'journal-ahead'
        ? foldable('thaw', `Thaw preview: ${status.by} pending ${status.by === 1 ? 'entry' : 'entries'}`, () =>
            this.#preview(id, pointer.id, pointer.rev, pointer.rev + status.by))
        : null,
    );
  }

  /** The thaw preview's list: read once per (pointer rev, thread rev), then re-rendered from the cache. */
  #preview(id: string, threadId: string, pointerRev: number, rev: number): HTMLElement {
    const list = h('ol', { class: 'thaw-preview', 'data-agent': id });
    const cached = this.#previews.get(id);
    const show = (entries: Entry[] | 'loading' | 'failed') => {
      if (entries === 'loading') replaceChildren(list, h('li', { class: 'muted' }, 'reading…'));
      else if (entries === 'failed') replaceChildren(list, h('li', { class: 'muted' }, 'could not read the journal; fold and unfold to retry'));
      else
        replaceChildren(
          list,
          h('li', { class: 'muted' }, `thaw(allowJournalAhead: true) would return these as pendingEntries (seq ≥ ${pointerRev}):`),
          ...entries.map((entry) =>
            h('li', { 'data-seq': entry.seq },
              h('button', { class: 'link pending', type: 'button', onclick: () => this.#onOpenThread(threadId, entry.seq) },
                h('span', { class: 'seq' }, `#${entry.seq}`), ' ',
                h('span', { class: `kind ${kindClass(entry.kind)}` }, entry.kind), ' ',
                summarizeEntry(entry).headline.slice(0, 120)))),
          rev - pointerRev > entries.length ? h('li', { class: 'muted' }, `… and ${rev - pointerRev - entries.length} more`) : null,
        );
    };
    if (cached && cached.pointerRev === pointerRev && cached.rev === rev && cached.entries !== 'failed') {
      show(cached.entries);
      return list;
    }
    const entry = { pointerRev, rev, entries: 'loading' as Entry[] | 'loading' | 'failed' };
    this.#previews.set(id, entry);
    show('loading');
    this.#client
      .thread({ id: threadId, first: PREVIEW, after: entryCursor(pointerRev - 1) })
      .then((thread) => {
        entry.entries = thread?.entries.edges.map((edge) => edge.node) ?? [];
      })
      .catch(() => {
        entry.entries = 'failed';
      })
      .finally(() => this.#render());
    return list;
  }
}

function key(agent: { agentType: string; agentId: string }): string {
  return `${agent.agentType}/${agent.agentId}`;
}
