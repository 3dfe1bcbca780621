import type { CryoClient } from '../../src/client/cryo-client.js';
import type { ThreadFieldsFragment } from '../../src/client/gql/graphql.js';
import type { ActivityTracker } from './activity.js';
import { activityStrip } from './activity-strip.js';
import { h, replaceChildren } from './dom.js';
import { fullDate, threadTitle, timeAgo } from './format.js';
import { retentionLabel, retentionTitle, storedLabel } from './retention-label.js';

const PAGE_SIZE = 25;

/**
 * One page of threads (the API orders them by id), shown newest activity first, with
 * previous/next paging: each with its metadata title, the entries it stores (rev - firstSeq) and
 * its rev, last activity (full date on hover), "trimmed before #n" when it was trimmed and its
 * retention policy ("keeps last 1,000") when it has one, and an activity strip. ↑/↓ move between threads. Refreshes its current page on demand;
 * it does NOT learn about new threads by itself (the page calls refresh() on a timer).
 */
export class ThreadsPanel {
  #client: CryoClient;
  #list: HTMLElement;
  #pager: HTMLElement;
  #activity: ActivityTracker;
  #onOpen: (threadId: string) => void;
  #cursors: (string | null)[] = [null];
  #hasNext = false;
  #endCursor: string | null = null;
  #selected: string | null = null;
  #threads: ThreadFieldsFragment[] = [];

  constructor(client: CryoClient, list: HTMLElement, pager: HTMLElement, activity: ActivityTracker, onOpen: (threadId: string) => void) {
    this.#client = client;
    this.#list = list;
    this.#pager = pager;
    this.#activity = activity;
    this.#onOpen = onOpen;
    list.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      const buttons = [...list.querySelectorAll<HTMLButtonElement>('button.thread')];
      const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const next = buttons[Math.max(0, Math.min(buttons.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    });
  }

  /** The threads of the current page. */
  get threads(): readonly ThreadFieldsFragment[] {
    return this.#threads;
  }

  /** Marks the open thread. */
  select(threadId: string | null): void {
    this.#selected = threadId;
    this.render();
  }

  /**
   * Updates one thread's rev and firstSeq from the live journal, without a round trip. Only moves
   * them up (the next refresh() brings a re-created thread's lower values).
   */
  noteHead(threadId: string, head: { rev: number; firstSeq: number }): void {
    const thread = this.#threads.find((t) => t.id === threadId);
    if (!thread || (thread.rev >= head.rev && thread.firstSeq >= head.firstSeq)) return;
    if (head.rev > thread.rev) {
      thread.rev = head.rev;
      thread.updatedAt = new Date().toISOString();
    }
    thread.firstSeq = Math.max(thread.firstSeq, head.firstSeq);
    this.#renderSoon();
  }

  #frame = 0;

  /** Renders once per frame however many entries stream in. */
  #renderSoon(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.render();
    });
  }

  /** Re-reads the current page. */
  async refresh(): Promise<void> {
    const after = this.#cursors[this.#cursors.length - 1] ?? null;
    const page = await this.#client.threads({ first: PAGE_SIZE, after });
    this.#threads = page.edges.map((edge) => edge.node);
    this.#hasNext = page.pageInfo.hasNextPage;
    this.#endCursor = page.pageInfo.endCursor ?? null;
    this.render();
  }

  /** Redraws the list (e.g. after the activity strips were updated). Keeps focus on the same thread. */
  render(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.threadId;
    const sorted = [...this.#threads].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    replaceChildren(
      this.#list,
      ...sorted.map((thread) => {
        const title = threadTitle(thread.metadata);
        return h('li', {},
          h('button', {
            class: `thread${thread.id === this.#selected ? ' selected' : ''}`,
            type: 'button',
            'data-thread-id': thread.id,
            'aria-current': thread.id === this.#selected ? 'true' : null,
            onclick: () => this.#onOpen(thread.id),
          },
          h('span', { class: 'thread-id' }, thread.id),
          title ? h('span', { class: 'thread-title', title }, title) : null,
          h('span', { class: 'thread-line muted' },
            h('span', { class: 'thread-count' }, storedLabel(thread)),
            h('time', { class: 'thread-updated', datetime: thread.updatedAt, title: `last entry ${fullDate(thread.updatedAt)}` }, timeAgo(thread.updatedAt))),
          retentionLine(thread),
          activityStrip(this.#activity.minutes(thread.id), { width: 240, height: 18, partial: this.#activity.partial(thread.id) })));
      }),
      sorted.length === 0 ? h('li', { class: 'muted empty-list' }, 'No threads yet. Run the AppendEntries tab in GraphiQL.') : null,
    );
    if (focused) this.#list.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(focused)}"]`)?.focus();
    const page = this.#cursors.length;
    replaceChildren(
      this.#pager,
      h('button', { type: 'button', disabled: page === 1, onclick: () => this.#go(-1) }, '← Prev'),
      h('span', { class: 'muted' }, `page ${page}`),
      h('button', { type: 'button', disabled: !this.#hasNext, onclick: () => this.#go(1) }, 'Next →'),
    );
  }

  async #go(direction: 1 | -1): Promise<void> {
    if (direction === 1 && this.#endCursor) this.#cursors.push(this.#endCursor);
    if (direction === -1 && this.#cursors.length > 1) this.#cursors.pop();
    await this.refresh();
  }
}

/** "trimmed before #n · keeps last 1,000" under a thread's counts; null when it was never trimmed and has no policy. */
function retentionLine(thread: ThreadFieldsFragment): HTMLElement | null {
  const policy = retentionLabel(thread.retention);
  if (thread.firstSeq === 0 && !policy) return null;
  return h('span', { class: 'thread-line thread-retention' },
    thread.firstSeq > 0
      ? h('span', { class: 'thread-trimmed', 'data-first-seq': thread.firstSeq, title: `Entries #0–#${thread.firstSeq - 1} were trimmed` }, `trimmed before #${thread.firstSeq}`)
      : null,
    policy ? h('span', { class: 'thread-policy muted', title: retentionTitle(thread.retention) }, policy) : null);
}
