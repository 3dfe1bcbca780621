import type { CheckpointEvent, CryoClient } from '../../src/client/cryo-client.js';
import type { CheckpointFieldsFragment } from '../../src/client/gql/graphql.js';
import { h, replaceChildren } from './dom.js';
import { jsonPreview, timeAgo } from './format.js';
import { pointerStatus, pointerStatusLabel } from './pointer-status.js';

const PAGE_SIZE = 50;

/**
 * Checkpoints (first PAGE_SIZE, ordered by agent) with their pointer status, kept current by the
 * checkpointEvents subscription and by the revs the open journal reports. Events missed while
 * disconnected are recovered by refresh() after a reconnect, not replayed.
 */
export class CheckpointsPanel {
  #client: CryoClient;
  #list: HTMLElement;
  #onOpenThread: (threadId: string) => void;
  #checkpoints = new Map<string, CheckpointFieldsFragment>();
  #liveRevs = new Map<string, number>();
  #more = false;

  constructor(client: CryoClient, list: HTMLElement, onOpenThread: (threadId: string) => void) {
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
    this.#render();
  }

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
    return h(
      'li',
      { class: 'checkpoint', 'data-agent': key(checkpoint), 'data-pointer-status': status.kind },
      h('div', { class: 'checkpoint-head' },
        h('strong', {}, `${checkpoint.agentType}/${checkpoint.agentId}`),
        h('span', { class: `pointer-status status-${status.kind}` }, pointerStatusLabel(status))),
      h('p', { class: 'muted' }, `rev ${checkpoint.rev} · state v${checkpoint.version} · saved ${timeAgo(checkpoint.updatedAt)}`),
      pointer
        ? h('button', { class: 'link', onclick: () => this.#onOpenThread(pointer.id) }, `→ ${pointer.id} @ rev ${pointer.rev}`)
        : null,
      h('code', { class: 'payload' }, jsonPreview(checkpoint.state, 160)),
    );
  }
}

function key(agent: { agentType: string; agentId: string }): string {
  return `${agent.agentType}/${agent.agentId}`;
}
