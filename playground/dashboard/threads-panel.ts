import type { CryoClient } from '../../src/client/cryo-client.js';
import type { ThreadFieldsFragment } from '../../src/client/gql/graphql.js';
import { h, replaceChildren } from './dom.js';
import { timeAgo } from './format.js';

const PAGE_SIZE = 25;

/**
 * One page of threads (the API orders them by id), shown newest activity first, with
 * previous/next paging. Refreshes its current page on demand; it does NOT learn about new
 * threads by itself (the page calls refresh() on a timer and after reconnects).
 */
export class ThreadsPanel {
  #client: CryoClient;
  #list: HTMLElement;
  #pager: HTMLElement;
  #onOpen: (threadId: string) => void;
  #cursors: (string | null)[] = [null];
  #hasNext = false;
  #endCursor: string | null = null;
  #selected: string | null = null;
  #threads: ThreadFieldsFragment[] = [];

  constructor(client: CryoClient, list: HTMLElement, pager: HTMLElement, onOpen: (threadId: string) => void) {
    this.#client = client;
    this.#list = list;
    this.#pager = pager;
    this.#onOpen = onOpen;
  }

  /** Marks the open thread. */
  select(threadId: string | null): void {
    this.#selected = threadId;
    this.#render();
  }

  /** Updates one thread's rev from the live journal, without a round trip. */
  noteRev(threadId: string, rev: number): void {
    const thread = this.#threads.find((t) => t.id === threadId);
    if (!thread || thread.rev >= rev) return;
    thread.rev = rev;
    thread.updatedAt = new Date().toISOString();
    this.#render();
  }

  /** Re-reads the current page. */
  async refresh(): Promise<void> {
    const after = this.#cursors[this.#cursors.length - 1] ?? null;
    const page = await this.#client.threads({ first: PAGE_SIZE, after });
    this.#threads = page.edges.map((edge) => edge.node);
    this.#hasNext = page.pageInfo.hasNextPage;
    this.#endCursor = page.pageInfo.endCursor ?? null;
    this.#render();
  }

  #render(): void {
    const sorted = [...this.#threads].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    replaceChildren(
      this.#list,
      ...sorted.map((thread) =>
        h('li', {},
          h('button', {
            class: `thread${thread.id === this.#selected ? ' selected' : ''}`,
            'data-thread-id': thread.id,
            onclick: () => this.#onOpen(thread.id),
          },
          h('span', { class: 'thread-id' }, thread.id),
          h('span', { class: 'muted' }, `rev ${thread.rev} · ${timeAgo(thread.updatedAt)}`))),
      ),
      sorted.length === 0 ? h('li', { class: 'muted empty-list' }, 'No threads yet. Run the AppendEntries tab in GraphiQL.') : null,
    );
    const page = this.#cursors.length;
    replaceChildren(
      this.#pager,
      h('button', { disabled: page === 1, onclick: () => this.#go(-1) }, '← Prev'),
      h('span', { class: 'muted' }, `page ${page}`),
      h('button', { disabled: !this.#hasNext, onclick: () => this.#go(1) }, 'Next →'),
    );
  }

  async #go(direction: 1 | -1): Promise<void> {
    if (direction === 1 && this.#endCursor) this.#cursors.push(this.#endCursor);
    if (direction === -1 && this.#cursors.length > 1) this.#cursors.pop();
    await this.refresh();
  }
}
