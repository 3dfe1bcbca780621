import { h } from './dom.js';
import { kindClass } from './entry-drawer.js';
import type { Entry, EntryStore } from './entry-store.js';
import { fullDate, shortStamp } from './format.js';
import { searchableText, summarizeEntry } from './summarize.js';

/** The height of one journal row, in px (fixed: see VirtualList). Must match `.entry` in dashboard.css. */
export const ROW_HEIGHT = 52;

/** What the journal shows: every seq, or only the loaded entries matching a kind and a text. */
export interface JournalFilter {
  kind: string;
  text: string;
}

/**
 * Maps list rows to seqs. Unfiltered, row i is seq firstSeq + i (loaded or not): the rows cover
 * what the thread still stores, firstSeq..rev-1 (entries below firstSeq were trimmed). Filtered,
 * the rows are the loaded entries that match, in seq order: a search covers what the page has
 * loaded, not the whole thread on the server.
 */
export class JournalView {
  #filter: JournalFilter = { kind: '', text: '' };
  #matches: number[] = [];
  #rev = 0;
  #firstSeq = 0;

  get filtered(): boolean {
    return this.#filter.kind !== '' || this.#filter.text !== '';
  }

  get count(): number {
    return this.filtered ? this.#matches.length : Math.max(0, this.#rev - this.#firstSeq);
  }

  /** The lowest seq the thread still stores (0 until trimmed). */
  get firstSeq(): number {
    return this.#firstSeq;
  }

  get rev(): number {
    return this.#rev;
  }

  setRev(rev: number): void {
    this.#rev = rev;
  }

  /** The thread was trimmed below `firstSeq`: rows start there, and matches below it are dropped. */
  setFirstSeq(firstSeq: number): void {
    this.#firstSeq = firstSeq;
    if (this.#matches.length > 0 && this.#matches[0]! < firstSeq) this.#matches = this.#matches.filter((seq) => seq >= firstSeq);
  }

  seqAt(index: number): number {
    return this.filtered ? (this.#matches[index] ?? -1) : this.#firstSeq + index;
  }

  /** The row showing `seq`, or -1 when the filter hides it. */
  indexOf(seq: number): number {
    if (!this.filtered) return seq >= this.#firstSeq && seq < this.#rev ? seq - this.#firstSeq : -1;
    let lo = 0;
    let hi = this.#matches.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.#matches[mid]!;
      if (value === seq) return mid;
      if (value < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Sets the filter and recomputes the matches from `store`. */
  setFilter(filter: JournalFilter, store: EntryStore): void {
    this.#filter = { kind: filter.kind, text: filter.text.trim().toLowerCase() };
    this.rematch(store);
  }

  /** Recomputes the matches (after pages were loaded). */
  rematch(store: EntryStore): void {
    this.#matches = this.filtered ? store.sorted().filter((entry) => this.matches(entry)).map((entry) => entry.seq) : [];
  }

  /** A live entry arrived: adds it to the matches when it passes the filter. */
  added(entry: Entry): void {
    if (this.filtered && this.matches(entry) && (this.#matches.at(-1) ?? -1) < entry.seq) this.#matches.push(entry.seq);
  }

  matches(entry: Entry): boolean {
    if (this.#filter.kind !== '' && entry.kind !== this.#filter.kind) return false;
    return this.#filter.text === '' || searchableText(entry).includes(this.#filter.text);
  }
}

/** One journal row: seq, kind chip, time (full date on hover), and a one-glance summary. */
export function entryRow(entry: Entry, current: boolean): HTMLElement {
  const { headline, detail } = summarizeEntry(entry);
  return h(
    'div',
    {
      class: `entry${current ? ' current' : ''}`,
      role: 'option',
      id: `entry-${entry.seq}`,
      'aria-selected': current ? 'true' : 'false',
      'data-seq': entry.seq,
      'data-testid': 'entry',
      'data-kind': entry.kind,
    },
    h('span', { class: 'seq' }, `#${entry.seq}`),
    h('span', { class: `kind ${kindClass(entry.kind)}`, title: entry.kind }, entry.kind),
    h('time', { class: 'at', datetime: entry.at, title: fullDate(entry.at) }, shortStamp(entry.at)),
    h('div', { class: 'body' }, h('p', { class: 'text' }, headline), detail ? h('p', { class: 'detail' }, detail) : null),
  );
}

/** A row for a seq whose entry is still being read. */
export function placeholderRow(seq: number): HTMLElement {
  return h('div', { class: 'entry placeholder', role: 'option', 'aria-busy': 'true', 'data-testid': 'entry-placeholder', 'data-seq-pending': seq },
    h('span', { class: 'seq' }, `#${seq}`), h('span', { class: 'muted' }, 'loading…'));
}
