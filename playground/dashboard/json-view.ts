import { h } from './dom.js';

/** Objects and arrays with more members than this start folded. */
const OPEN_UP_TO = 12;
/** Nesting deeper than this starts folded. */
const OPEN_DEPTH = 2;

/**
 * A foldable, syntax-coloured JSON tree: objects and arrays are <details> (click or Enter/Space
 * on the summary folds them; children are built when first opened, so a huge value costs nothing
 * until looked at). Strings are shown whole, never cut. Read-only.
 */
export function jsonView(value: unknown): HTMLElement {
  return h('div', { class: 'json' }, node(value, null, 0));
}

function node(value: unknown, key: string | null, depth: number): HTMLElement {
  const label = key === null ? null : h('span', { class: 'json-key' }, `${JSON.stringify(key)}: `);
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return h('div', { class: 'json-line' }, label, h('span', { class: 'json-punct' }, `${open}${close}`));
    const details = h('details', { class: 'json-node' });
    const summary = h('summary', {}, label, h('span', { class: 'json-punct' }, open),
      h('span', { class: 'json-count' }, ` ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'} `),
      h('span', { class: 'json-punct json-close-inline' }, close));
    details.append(summary);
    let built = false;
    const build = () => {
      if (built) return;
      built = true;
      const children = h('div', { class: 'json-children' });
      for (const [childKey, child] of entries) children.append(node(child, Array.isArray(value) ? null : childKey, depth + 1));
      details.append(children, h('div', { class: 'json-punct' }, close));
    };
    details.addEventListener('toggle', build);
    if (depth < OPEN_DEPTH && entries.length <= OPEN_UP_TO) {
      details.open = true;
      build();
    }
    return details;
  }
  const type = value === null ? 'null' : typeof value;
  return h('div', { class: 'json-line' }, label, h('span', { class: `json-${type}` }, JSON.stringify(value) ?? String(value)));
}
