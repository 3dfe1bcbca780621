import type { CryoClient } from '../../src/client/cryo-client.js';
import type { ThreadWatch, WatchStatus } from '../../src/client/watch-thread.js';
import { h, replaceChildren } from './dom.js';
import { clock, jsonPreview, splitPayload, timeAgo } from './format.js';

/** How many of the latest entries a journal opens with. */
const TAIL = 200;
/** Distance from the bottom (px) within which the list keeps following new entries. */
const STICKY_PX = 48;

const STATUS_LABELS: Record<WatchStatus, string> = {
  connecting: 'Connecting…',
  replaying: 'Replaying history…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  deleted: 'Thread deleted',
  failed: 'Failed',
  closed: 'Closed',
};

/**
 * The journal of one thread, streaming: opens at the last TAIL entries, then follows new ones
 * through client.watchThread (which resubscribes from lastSeen + 1 after any drop). Follows the
 * bottom while the reader is there; otherwise counts new entries on a "jump to latest" button.
 */
export class JournalPanel {
  #client: CryoClient;
  #root: HTMLElement;
  #list = h('ol', { class: 'entries', id: 'entries' });
  #status = h('span', { class: 'watch-status', id: 'watch-status', 'data-status': 'closed' });
  #rev = h('span', { class: 'rev', id: 'journal-rev' });
  #jump = h('button', { class: 'jump', hidden: true, onclick: () => this.#scrollToEnd() });
  #watch: ThreadWatch | null = null;
  #unseen = 0;
  #caughtUpCount = 0;
  #opening = 0;
  #onRev: (threadId: string, rev: number) => void;

  constructor(client: CryoClient, root: HTMLElement, onRev: (threadId: string, rev: number) => void) {
    this.#client = client;
    this.#root = root;
    this.#onRev = onRev;
    this.#list.addEventListener('scroll', () => {
      if (this.#atBottom()) this.#clearUnseen();
    });
    this.#showEmpty();
  }

  /** Opens a thread (closing the previous watch). */
  async open(threadId: string): Promise<void> {
    this.#watch?.close();
    this.#watch = null;
    this.#caughtUpCount = 0;
    this.#clearUnseen();
    const opening = ++this.#opening;
    const thread = await this.#client.thread({ id: threadId, last: 1 }).catch(() => null);
    if (opening !== this.#opening) return;
    const fromSeq = Math.max(0, (thread?.rev ?? 0) - TAIL);
    const title = h('h2', { id: 'journal-title' }, threadId);
    const meta = thread
      ? h('p', { class: 'muted' },
          `created ${timeAgo(thread.createdAt)}`,
          Object.keys(thread.metadata).length > 0 ? ` · metadata ${jsonPreview(thread.metadata, 120)}` : null)
      : h('p', { class: 'muted' }, 'This thread has no entries yet: waiting for the first one.');
    this.#rev.textContent = `rev ${thread?.rev ?? 0}`;
    replaceChildren(this.#list);
    if (fromSeq > 0) this.#list.append(h('li', { class: 'divider' }, `${fromSeq} earlier entries not shown`));
    replaceChildren(
      this.#root,
      h('header', { class: 'panel-header' }, h('div', {}, title, meta), h('div', { class: 'badges' }, this.#rev, this.#status)),
      this.#list,
      this.#jump,
    );
    this.#watch = this.#client.watchThread(threadId, {
      fromSeq,
      onStatus: (status, error) => this.#setStatus(status, error?.message),
      onEvent: (event) => {
        const follow = this.#atBottom();
        switch (event.__typename) {
          case 'Entry':
            this.#list.append(this.#entryRow(event));
            this.#rev.textContent = `rev ${event.seq + 1}`;
            this.#onRev(threadId, event.seq + 1);
            if (!follow) this.#addUnseen();
            break;
          case 'CaughtUp':
            this.#caughtUpCount++;
            this.#list.append(
              h('li', { class: 'divider caught-up', 'data-rev': event.rev },
                `${this.#caughtUpCount > 1 ? 'reconnected · ' : ''}caught up at rev ${event.rev}`),
            );
            this.#rev.textContent = `rev ${event.rev}`;
            break;
          case 'ThreadDeleted':
            this.#list.append(h('li', { class: 'divider deleted' }, 'thread deleted'));
            break;
        }
        if (follow) this.#scrollToEnd();
      },
    });
    this.#setStatus(this.#watch.status);
  }

  /** Stops streaming and shows the "pick a thread" state. */
  close(): void {
    this.#opening++;
    this.#watch?.close();
    this.#watch = null;
    this.#showEmpty();
  }

  #entryRow(entry: { id: string; seq: number; at: string; kind: string; payload: Record<string, unknown>; refs: Record<string, unknown> }) {
    const { text, rest } = splitPayload(entry.payload);
    const hasRefs = Object.keys(entry.refs).length > 0;
    return h(
      'li',
      { class: 'entry', 'data-seq': entry.seq, 'data-testid': 'entry', title: entry.id },
      h('span', { class: 'seq' }, `#${entry.seq}`),
      h('span', { class: `kind kind-${entry.kind.replace(/[^a-z0-9]/gi, '')}` }, entry.kind),
      h('time', { class: 'at' }, clock(entry.at)),
      h('div', { class: 'body' },
        text === null ? null : h('p', { class: 'text' }, text),
        rest === null ? null : h('code', { class: 'payload' }, jsonPreview(rest)),
        hasRefs ? h('code', { class: 'refs' }, `refs ${jsonPreview(entry.refs, 120)}`) : null),
    );
  }

  #setStatus(status: WatchStatus, detail?: string): void {
    this.#status.dataset.status = status;
    this.#status.textContent = STATUS_LABELS[status];
    this.#status.title = detail ?? '';
  }

  #atBottom(): boolean {
    const list = this.#list;
    return list.scrollHeight - list.scrollTop - list.clientHeight <= STICKY_PX;
  }

  #scrollToEnd(): void {
    this.#list.scrollTop = this.#list.scrollHeight;
    this.#clearUnseen();
  }

  #addUnseen(): void {
    this.#unseen++;
    this.#jump.hidden = false;
    this.#jump.textContent = `↓ ${this.#unseen} new`;
  }

  #clearUnseen(): void {
    this.#unseen = 0;
    this.#jump.hidden = true;
  }

  #showEmpty(): void {
    replaceChildren(
      this.#root,
      h('div', { class: 'empty' },
        h('h2', {}, 'Pick a thread'),
        h('p', {}, 'Choose a thread on the left, or search for a thread id, to watch its journal live.')),
    );
  }
}
