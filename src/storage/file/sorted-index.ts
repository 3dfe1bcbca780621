/**
 * In-memory sorted key sets, one per namespace, for listings (keys in UTF-16 code unit order,
 * as JS compares strings). Insert and delete are O(n) array splices with a binary search;
 * a page is O(log n + page). Does NOT persist anything: the file adapter rebuilds it on open.
 */
export class SortedIndex {
  readonly #byNamespace = new Map<string, string[]>();

  add(namespace: string, key: string): void {
    let keys = this.#byNamespace.get(namespace);
    if (!keys) this.#byNamespace.set(namespace, (keys = []));
    const at = lowerBound(keys, key);
    if (keys[at] !== key) keys.splice(at, 0, key);
  }

  delete(namespace: string, key: string): void {
    const keys = this.#byNamespace.get(namespace);
    if (!keys) return;
    const at = lowerBound(keys, key);
    if (keys[at] === key) keys.splice(at, 1);
    if (keys.length === 0) this.#byNamespace.delete(namespace);
  }

  /** Up to `count` keys after `after` (exclusive; null = from the start), stopping at `until` (exclusive). */
  page(namespace: string, after: string | null, count: number, until: string | null = null): string[] {
    const keys = this.#byNamespace.get(namespace) ?? [];
    let at = after === null ? 0 : lowerBound(keys, after);
    if (after !== null && keys[at] === after) at++;
    const out: string[] = [];
    for (; at < keys.length && out.length < count; at++) {
      const key = keys[at]!;
      if (until !== null && key >= until) break;
      out.push(key);
    }
    return out;
  }

  /** The namespaces holding at least one key. */
  namespaces(): string[] {
    return [...this.#byNamespace.keys()];
  }

  /** Number of keys in every namespace. */
  get size(): number {
    let n = 0;
    for (const keys of this.#byNamespace.values()) n += keys.length;
    return n;
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
