import type { CryoClient } from '../../src/client/cryo-client.js';
import type { ThreadFieldsFragment } from '../../src/client/gql/graphql.js';
import type { ThreadWatch, WatchStatus } from '../../src/client/watch-thread.js';
import type { ActivityTracker } from './activity.js';
import { activityCaption, activityStrip } from './activity-strip.js';
import { h, replaceChildren } from './dom.js';
import { EntryDrawer } from './entry-drawer.js';
import { type Entry, EntryStore } from './entry-store.js';
import { count } from './format.js';
import type { Health, HealthMonitor } from './health.js';
import { journalHeader } from './journal-header.js';
import { journalKeyTarget } from './journal-keys.js';
import { JournalView, ROW_HEIGHT, entryRow, placeholderRow } from './journal-view.js';
import { VirtualList } from './virtual-list.js';

/** How many of the latest entries a journal opens with (one request, with the thread's head). */
const TAIL = 200;

/** What the badge says: the watch's status, or what the page found out about it. */
type Badge = WatchStatus | 'stalled' | 'waiting';

const BADGE_LABELS: Record<Badge, string> = {
  connecting: 'Connecting…',
  replaying: 'Replaying history…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  deleted: 'Thread deleted',
  failed: 'Failed',
  closed: 'Closed',
  stalled: 'Stalled',
  waiting: 'Waiting for the thread',
};

/**
 * The journal of one thread: a virtual list over every seq (scroll back through the whole
 * history, or jump to a seq; pages are read as they come into view), live at the bottom through
 * client.watchThread, with a kind filter and a search over the loaded entries, and a drawer
 * showing one entry in full. A trimmed journal (firstSeq > 0: known when the thread opens, from a
 * JournalTrimmed on the stream, or from a page read that starts higher than asked) shows
 * "trimmed before #n", and its rows (and "Oldest") start at firstSeq. Its badge says "Stalled" when the server's storage is failing or
 * when entries the server acknowledged did not arrive; a thread that vanished (deleted, or lost
 * by its storage) is followed again when it comes back.
 */
export class JournalPanel {
  #client: CryoClient;
  #root: HTMLElement;
  #health: HealthMonitor;
  #activity: ActivityTracker;
  #onRev: (threadId: string, rev: number) => void;

  #listElement = h('div', { class: 'entries', id: 'entries', role: 'listbox', tabindex: 0, 'aria-label': 'Entries' });
  #list: VirtualList;
  #view = new JournalView();
  #drawer = new EntryDrawer();
  #status = h('span', { class: 'watch-status', id: 'watch-status', 'data-status': 'closed' });
  #rev = h('span', { class: 'rev', id: 'journal-rev' });
  #trimmedBadge = h('span', { class: 'trimmed', id: 'journal-trimmed', hidden: true });
  #notice = h('p', { class: 'notice', id: 'journal-notice', 'aria-live': 'polite' });
  #strip = h('div', { class: 'journal-activity', id: 'journal-activity' });
  #kindSelect = h('select', { id: 'kind-filter', 'aria-label': 'Filter by kind' });
  #search = h('input', { id: 'journal-search', type: 'search', placeholder: 'Search loaded entries  ( / )', 'aria-label': 'Search loaded entries' });
  #jumpInput = h('input', { id: 'jump-seq', type: 'number', min: 0, placeholder: 'seq', 'aria-label': 'Jump to seq' });
  #jumpNew = h('button', { class: 'jump', id: 'jump-new', type: 'button', hidden: true, onclick: () => this.#scrollToEnd() });

  #threadId: string | null = null;
  #head: ThreadFieldsFragment | null = null;
  #store: EntryStore | null = null;
  #watch: ThreadWatch | null = null;
  #watchStatus: WatchStatus = 'closed';
  #opening = 0;
  #caughtUps = 0;
  #unseen = 0;
  #current = -1;
  #kinds = new Set<string>();
  #waiting = false;
  #stalled = false;
  #expectRev = 0;
  #pendingOpen: number | null = null;
  /** The last JournalTrimmed's notice, until the CaughtUp that follows it (which shows both). */
  #trimNotice: string | null = null;
  #stripTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: CryoClient, root: HTMLElement, health: HealthMonitor, activity: ActivityTracker, onRev: (threadId: string, rev: number) => void) {
    this.#client = client;
    this.#root = root;
    this.#health = health;
    this.#activity = activity;
    this.#onRev = onRev;
    this.#list = new VirtualList(this.#listElement, ROW_HEIGHT, (index) => this.#renderRow(index), (first, last, atBottom) => {
      if (atBottom && this.#unseen > 0) this.#clearUnseen();
      this.#onRange(first, last);
    });
    this.#listElement.addEventListener('keydown', (event) => this.#onKey(event));
    this.#listElement.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('[data-testid="entry"]');
      if (row) this.#openEntry(Number(row.dataset.seq));
    });
    this.#kindSelect.addEventListener('change', () => this.#applyFilter());
    let searchTimer: ReturnType<typeof setTimeout> | undefined;
    this.#search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => this.#applyFilter(), 120);
    });
    health.onChange(() => this.#renderBadge());
    this.#showEmpty();
  }

  /** The thread open, or null. */
  get threadId(): string | null {
    return this.#threadId;
  }

  /** Opens a thread at its latest entries (or at `seq`, opening that entry's drawer). */
  async open(threadId: string, seq: number | null = null): Promise<void> {
    if (threadId === this.#threadId && this.#store) {
      if (seq !== null) this.jumpTo(seq, true);
      return;
    }
    this.#stop();
    const opening = ++this.#opening;
    this.#threadId = threadId;
    this.#caughtUps = 0;
    this.#trimNotice = null;
    this.#kinds.clear();
    this.#current = -1;
    this.#waiting = false;
    this.#stalled = false;
    this.#notice.textContent = '';
    this.#search.value = '';
    this.#drawer.close();
    const store: EntryStore = new EntryStore(
      this.#client,
      threadId,
      (entries) => this.#pagesLoaded(store, entries),
      (error) => this.#health.reportError(error),
      (firstSeq) => store === this.#store && this.#trimmed(firstSeq, null),
    );
    this.#store = store;
    let head: Awaited<ReturnType<CryoClient['thread']>> = null;
    let firstSeq = 0;
    try {
      [head, firstSeq] = await Promise.all([this.#client.thread({ id: threadId, last: TAIL }), this.#firstSeqOf(threadId)]);
      this.#health.reportOk();
    } catch (error) {
      this.#health.reportError(error);
      if (opening !== this.#opening) return;
      this.#notice.textContent = 'Could not read the thread; following it live, older entries load when storage answers.';
    }
    if (opening !== this.#opening) return;
    this.#head = head;
    for (const edge of head?.entries.edges ?? []) {
      this.#addKind(edge.node.kind);
      store.put(edge.node);
    }
    this.#activity.record(threadId, head?.entries.edges.map((edge) => edge.node) ?? []);
    this.#view = new JournalView();
    this.#view.setRev(head?.rev ?? 0);
    this.#view.setFirstSeq(firstSeq);
    store.setFirstSeq(firstSeq);
    this.#expectRev = head?.rev ?? 0;
    this.#renderFrame(threadId);
    this.#list.setCount(this.#view.count);
    this.#list.refresh();
    if (seq !== null) this.jumpTo(seq, true);
    else this.#scrollToEnd();
    this.#startWatch(head?.rev ?? 0);
  }

  /** Stops streaming and shows the "pick a thread" state. */
  close(): void {
    this.#opening++;
    this.#stop();
    this.#threadId = null;
    this.#showEmpty();
  }

  /** Scrolls to `seq` (clearing the filter) and marks it; opens its drawer when `openDrawer`. */
  jumpTo(seq: number, openDrawer = false): void {
    if (!this.#store || !Number.isInteger(seq) || seq < 0) return;
    if (this.#view.filtered) {
      this.#kindSelect.value = '';
      this.#search.value = '';
      this.#applyFilter();
    }
    const target = Math.max(this.#view.firstSeq, Math.min(seq, this.#view.rev - 1));
    if (target < 0 || this.#view.indexOf(target) < 0) return;
    this.#setCurrent(target);
    this.#list.scrollToIndex(this.#view.indexOf(target), 'center');
    if (openDrawer) {
      if (this.#store.get(target)) this.#openEntry(target);
      else this.#pendingOpen = target;
    }
  }

  /**
   * Checks the open thread against the server (the page calls it every few seconds): a thread
   * that vanished is waited for and followed again from seq 0, one re-created (another
   * createdAt, or fewer entries) is reopened, and a live stream missing entries the server
   * acknowledged at the previous check is marked Stalled and resubscribed.
   */
  async verify(): Promise<void> {
    const threadId = this.#threadId;
    const store = this.#store;
    if (!threadId || !store) return;
    const opening = this.#opening;
    /** Entries shown before asking: a head with fewer is a journal that lost some (later ones may arrive meanwhile). */
    const shownBefore = this.#view.rev;
    let head: Awaited<ReturnType<CryoClient['thread']>>;
    let firstSeq: number;
    try {
      [head, firstSeq] = await Promise.all([this.#client.thread({ id: threadId, last: 1 }), this.#firstSeqOf(threadId)]);
      this.#health.reportOk();
    } catch (error) {
      this.#health.reportError(error);
      return;
    }
    if (opening !== this.#opening) return;
    if (!head) {
      if (this.#view.rev > 0 && !this.#waiting) this.#vanished('The thread is gone (deleted, or lost by its storage). Waiting for it to come back…');
      return;
    }
    const known = this.#head;
    const recreated = known !== null && (head.createdAt !== known.createdAt || head.rev < shownBefore);
    if (recreated && !this.#waiting) {
      this.#threadId = null;
      void this.open(threadId).then(() => {
        if (opening + 1 === this.#opening) this.#notice.textContent = 'The thread was re-created: showing its new journal.';
      });
      return;
    }
    if (!known) this.#head = head;
    if (firstSeq > this.#view.firstSeq && !this.#waiting) this.#trimmed(firstSeq, null);
    const behind = this.#watchStatus === 'live' && this.#view.rev < this.#expectRev;
    if (behind && !this.#stalled) {
      this.#stalled = true;
      this.#notice.textContent = `Stalled: the server acknowledged entries up to seq ${this.#expectRev - 1} but they did not arrive; resubscribing.`;
      this.#startWatch(this.#view.rev);
    } else if (!behind && this.#stalled && this.#view.rev >= this.#expectRev) {
      this.#stalled = false;
    }
    this.#expectRev = head.rev;
    this.#renderBadge();
  }

  #startWatch(fromSeq: number): void {
    const threadId = this.#threadId!;
    this.#watch?.close();
    const watch = this.#client.watchThread(threadId, {
      fromSeq,
      onStatus: (status, error) => {
        if (this.#watch !== watch) return;
        this.#watchStatus = status;
        this.#status.title = error?.message ?? '';
        if (status === 'failed' && error?.code === 'JOURNAL_REGRESSED') {
          this.#vanished('The thread has fewer entries than were shown (its storage lost some): following it again from seq 0.');
          return;
        }
        if (status === 'reconnecting' && error) this.#health.reportError(error);
        this.#renderBadge();
      },
      onEvent: (event) => {
        if (this.#watch !== watch) return;
        switch (event.__typename) {
          case 'Entry':
            this.#onEntry(event);
            break;
          case 'CaughtUp':
            this.#caughtUps++;
            this.#health.reportOk();
            if (!this.#waiting) {
              // A trim announced during this replay stays in view beside it.
              const trim = this.#trimNotice ? `${this.#trimNotice} · ` : '';
              this.#trimNotice = null;
              this.#notice.textContent = `${trim}${this.#caughtUps > 1 ? 'Reconnected · ' : ''}caught up at rev ${event.rev}`;
              this.#notice.dataset.caughtUps = String(this.#caughtUps);
            }
            if (this.#stalled && this.#view.rev >= this.#expectRev) this.#stalled = false;
            this.#renderBadge();
            break;
          case 'JournalTrimmed':
            this.#trimmed(event.firstSeq, `Entries before #${event.firstSeq} were trimmed on the server; continuing from #${event.firstSeq}`);
            break;
          case 'ThreadDeleted':
            queueMicrotask(() => this.#vanished(`Thread deleted at rev ${this.#view.rev}. Waiting for it to be re-created…`));
            break;
        }
      },
    });
    this.#watch = watch;
    this.#watchStatus = watch.status;
    this.#renderBadge();
  }

  #onEntry(entry: Entry): void {
    const store = this.#store!;
    if (this.#waiting) {
      this.#waiting = false;
      this.#notice.textContent = 'The thread is back: following its new journal.';
      this.#head = null;
    }
    const follow = this.#list.atBottom();
    store.put(entry);
    this.#addKind(entry.kind);
    this.#view.setRev(Math.max(this.#view.rev, entry.seq + 1));
    this.#view.added(entry);
    this.#list.setCount(this.#view.count);
    this.#rev.textContent = `rev ${count(this.#view.rev)}`;
    this.#onRev(store.threadId, this.#view.rev);
    this.#activity.record(store.threadId, [entry]);
    this.#scheduleStrip();
    if (follow) this.#scrollToEnd();
    else if (!this.#view.filtered || this.#view.matches(entry)) this.#addUnseen();
  }

  /** The thread is gone: clear the list and follow it again from seq 0 (a new life). */
  #vanished(message: string): void {
    if (!this.#store) return;
    this.#waiting = true;
    this.#stalled = false;
    this.#store.clear();
    this.#kinds.clear();
    this.#view.setRev(0);
    this.#view.setFirstSeq(0);
    this.#renderTrimmed();
    this.#view.rematch(this.#store);
    this.#expectRev = 0;
    this.#head = null;
    this.#list.setCount(0);
    this.#list.refresh();
    this.#rev.textContent = 'rev 0';
    this.#notice.textContent = message;
    this.#drawer.close();
    this.#startWatch(0);
  }

  #pagesLoaded(store: EntryStore, entries: Entry[]): void {
    if (store !== this.#store) return;
    this.#health.reportOk();
    for (const entry of entries) this.#addKind(entry.kind);
    if (this.#view.filtered) {
      this.#view.rematch(store);
      this.#list.setCount(this.#view.count);
    }
    this.#list.refresh();
    if (this.#pendingOpen !== null && store.get(this.#pendingOpen)) {
      const seq = this.#pendingOpen;
      this.#pendingOpen = null;
      this.#openEntry(seq);
    }
  }

  #onRange(first: number, last: number): void {
    if (!this.#store || this.#view.filtered || last < first || this.#view.count === 0) return;
    this.#store.ensure(this.#view.seqAt(first), this.#view.seqAt(Math.min(last, this.#view.count - 1)));
  }

  #renderRow(index: number): HTMLElement {
    const seq = this.#view.seqAt(index);
    const entry = this.#store?.get(seq);
    return entry ? entryRow(entry, seq === this.#current) : placeholderRow(seq);
  }

  #applyFilter(): void {
    if (!this.#store) return;
    this.#view.setFilter({ kind: this.#kindSelect.value, text: this.#search.value }, this.#store);
    this.#list.setCount(this.#view.count);
    this.#list.refresh();
    this.#root.dataset.filtered = String(this.#view.filtered);
    if (this.#view.filtered) {
      this.#notice.textContent = `${count(this.#view.count)} of ${count(this.#store.size)} loaded entries match (of ${count(this.#view.rev)} in the thread; scroll back without a filter to load more).`;
    } else this.#notice.textContent = '';
    this.#scrollToEnd();
  }

  #addKind(kind: string): void {
    if (this.#kinds.has(kind)) return;
    this.#kinds.add(kind);
    const selected = this.#kindSelect.value;
    replaceChildren(this.#kindSelect, h('option', { value: '' }, 'All kinds'), ...[...this.#kinds].sort().map((k) => h('option', { value: k }, k)));
    this.#kindSelect.value = selected;
  }

  #onKey(event: KeyboardEvent): void {
    const count = this.#view.count;
    if (count === 0) return;
    const page = Math.max(1, Math.floor(this.#listElement.clientHeight / ROW_HEIGHT) - 1);
    const index = this.#current >= 0 ? Math.max(0, this.#view.indexOf(this.#current)) : this.#list.visibleRange()[1];
    const target = journalKeyTarget(event.key, index, count, page);
    if (target === null) return;
    event.preventDefault();
    if (target === 'open') {
      if (this.#current >= 0) this.#openEntry(this.#current);
      return;
    }
    const clamped = Math.max(0, Math.min(count - 1, target));
    this.#setCurrent(this.#view.seqAt(clamped));
    this.#list.scrollToIndex(clamped);
  }

  #setCurrent(seq: number): void {
    const previous = this.#current;
    this.#current = seq;
    for (const s of [previous, seq]) {
      const row = this.#list.rowElement(this.#view.indexOf(s));
      if (!row) continue;
      row.classList.toggle('current', s === seq);
      row.setAttribute('aria-selected', String(s === seq));
    }
    this.#listElement.setAttribute('aria-activedescendant', `entry-${seq}`);
  }

  #openEntry(seq: number): void {
    const entry = this.#store?.get(seq);
    if (!entry) return;
    this.#setCurrent(seq);
    this.#drawer.open(entry, this.#listElement);
  }

  #renderBadge(): void {
    const health: Health = this.#health.current;
    let badge: Badge = this.#watchStatus;
    if (this.#waiting && (badge === 'live' || badge === 'replaying')) badge = 'waiting';
    else if (badge === 'live' && (this.#stalled || health.kind !== 'ok')) badge = 'stalled';
    this.#status.dataset.status = badge;
    this.#status.textContent = BADGE_LABELS[badge];
    if (badge === 'stalled') this.#status.title = health.kind === 'ok' ? 'Entries the server acknowledged have not arrived' : 'The server or its storage is failing: no new entries can arrive';
    this.#rev.textContent = `rev ${count(this.#view.rev)}`;
  }

  #renderFrame(threadId: string): void {
    const jumpForm = h('form', { class: 'jump-form', id: 'jump-form' }, this.#jumpInput, h('button', { type: 'submit' }, 'Go'));
    jumpForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.jumpTo(Number(this.#jumpInput.value), true);
    });
    replaceChildren(
      this.#root,
      journalHeader(threadId, this.#head, [this.#trimmedBadge, this.#rev, this.#status]),
      this.#strip,
      h('div', { class: 'journal-tools' },
        this.#kindSelect, this.#search, jumpForm,
        h('button', { type: 'button', id: 'to-oldest', title: 'Oldest entry (Home)', onclick: () => this.jumpTo(0) }, '⤒ Oldest'),
        h('button', { type: 'button', id: 'to-latest', title: 'Latest entry (End)', onclick: () => this.#scrollToEnd() }, '⤓ Latest')),
      this.#notice,
      h('div', { class: 'entries-frame' }, this.#listElement, this.#jumpNew, this.#drawer.element),
    );
    this.#renderBadge();
    this.#renderTrimmed();
    this.#renderStrip();
  }

  /**
   * The thread's lowest stored seq, from its oldest entry (a read from seq 0 starts at firstSeq;
   * a thread with no entry left has firstSeq = rev); 0 for a missing thread.
   */
  async #firstSeqOf(threadId: string): Promise<number> {
    const oldest = await this.#client.thread({ id: threadId, first: 1 });
    if (!oldest) return 0;
    return oldest.entries.edges[0]?.node.seq ?? oldest.rev;
  }

  /**
   * The server no longer stores the seqs below `firstSeq`: drop them, start the rows there, keep
   * the reader where it was (or at the end when it followed it), and say so (`notice`, when given).
   */
  #trimmed(firstSeq: number, notice: string | null): void {
    if (!this.#store || firstSeq < this.#view.firstSeq) return;
    if (notice) {
      this.#notice.textContent = notice;
      this.#notice.dataset.trimmed = String(firstSeq);
      this.#trimNotice = notice;
    }
    if (firstSeq === this.#view.firstSeq) return;
    const follow = this.#list.atBottom();
    const topSeq = this.#view.filtered ? -1 : this.#view.seqAt(this.#list.visibleRange()[0]);
    this.#store.setFirstSeq(firstSeq);
    this.#view.setFirstSeq(firstSeq);
    if (this.#view.rev < firstSeq) this.#view.setRev(firstSeq);
    this.#list.setCount(this.#view.count);
    if (follow) this.#scrollToEnd();
    else if (topSeq >= 0) this.#list.scrollToIndex(Math.max(0, this.#view.indexOf(Math.max(topSeq, firstSeq))), 'start');
    this.#list.refresh();
    if (this.#current >= 0 && this.#current < firstSeq) this.#current = -1;
    const shown = this.#drawer.seq;
    if (shown !== null && shown < firstSeq) this.#drawer.close();
    this.#renderTrimmed();
  }

  #renderTrimmed(): void {
    const firstSeq = this.#view.firstSeq;
    this.#trimmedBadge.hidden = firstSeq === 0;
    this.#trimmedBadge.dataset.firstSeq = String(firstSeq);
    this.#trimmedBadge.textContent = `trimmed before #${firstSeq}`;
    this.#trimmedBadge.title = firstSeq === 0 ? '' : `The server no longer stores the entries #0–#${firstSeq - 1} (retention); the journal starts at #${firstSeq}.`;
  }

  #scheduleStrip(): void {
    if (this.#stripTimer) return;
    this.#stripTimer = setTimeout(() => {
      this.#stripTimer = null;
      this.#renderStrip();
    }, 1000);
  }

  #renderStrip(): void {
    if (!this.#threadId) return;
    const minutes = this.#activity.minutes(this.#threadId);
    const partial = this.#activity.partial(this.#threadId);
    replaceChildren(this.#strip, h('div', { class: 'strip-label' }, activityCaption(minutes, partial)), activityStrip(minutes, { width: 600, height: 30, partial }));
  }

  #scrollToEnd(): void {
    this.#list.scrollToEnd();
    this.#clearUnseen();
  }

  #addUnseen(): void {
    this.#unseen++;
    this.#jumpNew.hidden = false;
    this.#jumpNew.textContent = `↓ ${this.#unseen} new`;
  }

  #clearUnseen(): void {
    this.#unseen = 0;
    this.#jumpNew.hidden = true;
  }

  #stop(): void {
    this.#watch?.close();
    this.#watch = null;
    this.#watchStatus = 'closed';
    this.#store?.close();
    this.#store = null;
    this.#head = null;
    this.#pendingOpen = null;
    this.#clearUnseen();
  }

  #showEmpty(): void {
    replaceChildren(
      this.#root,
      h('div', { class: 'empty' },
        h('h2', {}, 'Pick a thread'),
        h('p', {}, 'Choose a thread on the left, or search for a thread id, to watch its journal live.'),
        h('p', { class: 'muted' }, 'Keys: / search · ↑↓ or j/k move · Enter opens an entry · Esc closes it · Home/End oldest/latest')),
    );
  }
}
