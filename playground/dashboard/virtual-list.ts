import { h } from './dom.js';

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 8;

/**
 * A list of `count` rows of one fixed height inside a scrolling element, rendering only the rows
 * in view (plus a few): a 100,000-row journal costs a few dozen DOM nodes, and rows never move
 * when others arrive (no layout shift). Row content comes from `renderRow(index)`; call
 * refresh() when the data behind visible rows changed. It does NOT support rows of varying
 * height, and a list taller than the browser's maximum element height (about 33 million px,
 * i.e. 700,000 rows of 48 px in Chromium) is cut off.
 */
export class VirtualList {
  readonly element: HTMLElement;
  #spacer = h('div', { class: 'vlist-spacer' });
  #rows = new Map<number, HTMLElement>();
  #count = 0;
  #frame = 0;
  #rowHeight: number;
  #renderRow: (index: number) => HTMLElement;
  #onRange: (first: number, last: number, atBottom: boolean) => void;

  /**
   * `onRange(first, last, atBottom)` runs after each render with the rows rendered and whether
   * the view is at the bottom (computed from the numbers already read: no extra layout).
   */
  constructor(element: HTMLElement, rowHeight: number, renderRow: (index: number) => HTMLElement, onRange: (first: number, last: number, atBottom: boolean) => void) {
    this.element = element;
    this.#rowHeight = rowHeight;
    this.#renderRow = renderRow;
    this.#onRange = onRange;
    element.append(this.#spacer);
    element.addEventListener('scroll', () => this.#schedule(), { passive: true });
    new ResizeObserver(() => this.#schedule()).observe(element);
  }

  get count(): number {
    return this.#count;
  }

  get rowHeight(): number {
    return this.#rowHeight;
  }

  /** Sets the number of rows (keeps the scroll position; rows already shown stay). */
  setCount(count: number): void {
    if (count === this.#count) return;
    this.#count = count;
    this.#spacer.style.height = `${count * this.#rowHeight}px`;
    for (const index of [...this.#rows.keys()]) if (index >= count) this.#drop(index);
    this.#schedule();
  }

  /** Re-renders every visible row now (their data changed). */
  refresh(): void {
    for (const index of [...this.#rows.keys()]) this.#drop(index);
    this.#render();
  }

  /** Whether the view is at (or within `slack` px of) the bottom. */
  atBottom(slack = 48): boolean {
    const el = this.element;
    return el.scrollHeight - el.scrollTop - el.clientHeight <= slack;
  }

  /** Scrolls so that row `index` is visible: at the top, the bottom, the centre, or only if needed. */
  scrollToIndex(index: number, align: 'start' | 'end' | 'center' | 'nearest' = 'nearest'): void {
    const el = this.element;
    const top = index * this.#rowHeight;
    const bottom = top + this.#rowHeight;
    const view = el.clientHeight;
    if (align === 'start') el.scrollTop = top;
    else if (align === 'end') el.scrollTop = bottom - view;
    else if (align === 'center') el.scrollTop = top - (view - this.#rowHeight) / 2;
    else if (top < el.scrollTop) el.scrollTop = top;
    else if (bottom > el.scrollTop + view) el.scrollTop = bottom - view;
    this.#render();
  }

  /** Scrolls to the last row. */
  scrollToEnd(): void {
    this.element.scrollTop = this.element.scrollHeight;
    this.#render();
  }

  /** The rows in view, as [first, last] indexes (last < first when empty). */
  visibleRange(): [number, number] {
    const el = this.element;
    const first = Math.floor(el.scrollTop / this.#rowHeight);
    const last = Math.min(this.#count - 1, Math.ceil((el.scrollTop + el.clientHeight) / this.#rowHeight) - 1);
    return [first, last];
  }

  /** The element of row `index`, when it is rendered. */
  rowElement(index: number): HTMLElement | undefined {
    return this.#rows.get(index);
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render(): void {
    const el = this.element;
    const scrollTop = el.scrollTop;
    const height = el.clientHeight;
    const atBottom = this.#count * this.#rowHeight - scrollTop - height <= 48;
    const visibleFirst = Math.floor(scrollTop / this.#rowHeight);
    const visibleLast = Math.min(this.#count - 1, Math.ceil((scrollTop + height) / this.#rowHeight) - 1);
    const first = Math.max(0, visibleFirst - OVERSCAN);
    const last = Math.min(this.#count - 1, visibleLast + OVERSCAN);
    for (const index of [...this.#rows.keys()]) if (index < first || index > last) this.#drop(index);
    const fragment = document.createDocumentFragment();
    for (let index = first; index <= last; index++) {
      if (this.#rows.has(index)) continue;
      const row = this.#renderRow(index);
      row.style.transform = `translateY(${index * this.#rowHeight}px)`;
      this.#rows.set(index, row);
      fragment.append(row);
    }
    this.element.append(fragment);
    this.#onRange(first, last, atBottom);
  }

  #drop(index: number): void {
    this.#rows.get(index)?.remove();
    this.#rows.delete(index);
  }
}
