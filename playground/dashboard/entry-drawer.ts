import { copyButton } from './clipboard.js';
import { h, replaceChildren } from './dom.js';
import type { Entry } from './entry-store.js';
import { fullDate } from './format.js';
import { jsonView } from './json-view.js';

/**
 * The side drawer showing one entry in full: id, seq, kind, full timestamp, and the payload and
 * refs as foldable JSON trees, with copy buttons (id, payload, the whole entry). Esc or × closes
 * it and gives focus back to where it came from. Read-only.
 */
export class EntryDrawer {
  readonly element = h('aside', { class: 'drawer', id: 'entry-drawer', hidden: true, role: 'dialog', 'aria-label': 'Entry', tabindex: -1 });
  #returnFocus: HTMLElement | null = null;
  #entry: Entry | null = null;

  constructor() {
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.close();
      }
    });
  }

  /** The seq shown, or null when closed. */
  get seq(): number | null {
    return this.#entry?.seq ?? null;
  }

  open(entry: Entry, returnFocus: HTMLElement | null): void {
    this.#entry = entry;
    this.#returnFocus = returnFocus;
    const json = (value: unknown) => JSON.stringify(value, null, 2);
    replaceChildren(
      this.element,
      h('header', { class: 'drawer-header' },
        h('h2', {}, `Entry #${entry.seq}`),
        h('span', { class: `kind ${kindClass(entry.kind)}` }, entry.kind),
        h('button', { class: 'icon', type: 'button', 'aria-label': 'Close', title: 'Close (Esc)', onclick: () => this.close() }, '×')),
      h('dl', { class: 'drawer-facts' },
        h('dt', {}, 'id'), h('dd', {}, h('code', { id: 'drawer-id' }, entry.id), copyButton('Copy id', () => entry.id)),
        h('dt', {}, 'seq'), h('dd', {}, String(entry.seq)),
        h('dt', {}, 'thread'), h('dd', {}, h('code', {}, entry.threadId)),
        h('dt', {}, 'at'), h('dd', {}, h('time', { id: 'drawer-at', datetime: entry.at }, fullDate(entry.at)))),
      h('section', { class: 'drawer-section' },
        h('div', { class: 'drawer-section-head' }, h('h3', {}, 'payload'), copyButton('Copy payload', () => json(entry.payload))),
        jsonView(entry.payload)),
      h('section', { class: 'drawer-section' },
        h('div', { class: 'drawer-section-head' }, h('h3', {}, 'refs'), copyButton('Copy refs', () => json(entry.refs))),
        jsonView(entry.refs)),
      h('div', { class: 'drawer-actions' }, copyButton('Copy entry as JSON', () => json(entry))),
    );
    this.element.hidden = false;
    this.element.focus();
  }

  close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.#entry = null;
    this.#returnFocus?.focus();
  }
}

/** The CSS class colouring a kind chip (known kinds have their own colour, others a hashed one). */
export function kindClass(kind: string): string {
  const known = ['user', 'assistant', 'tool', 'system', 'error', 'note', 'checkpoint', 'writes'];
  const simple = kind.toLowerCase().replace(/^langgraph[.:]/, '');
  if (known.includes(simple)) return `kind-${simple}`;
  let hash = 0;
  for (const char of kind) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `kind-h${hash % 6}`;
}
