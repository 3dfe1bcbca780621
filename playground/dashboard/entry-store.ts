import type { CryoClient } from '../../src/client/cryo-client.js';
import type { EntryFieldsFragment } from '../../src/client/gql/graphql.js';
import { entryCursor } from './cursors.js';

/** One journal entry as the dashboard holds it. */
export type Entry = EntryFieldsFragment;

/** Entries fetched per request when paging back (the API allows up to 500). */
export const PAGE = 250;
/** How long paging waits after a failed read before it tries again. */
const RETRY_AFTER_MS = 3000;

/**
 * The entries of one thread the page has seen, by seq, filled from the live stream and, on
 * demand, by pages read over HTTP (ensure(from, to)). Holds whatever was loaded (a reader who
 * scrolls through 100,000 entries keeps them all: about 50 MB); it does NOT evict.
 */
export class EntryStore {
  readonly threadId: string;
  #client: CryoClient;
  #entries = new Map<number, Entry>();
  #loading = new Set<number>();
  #onLoaded: (entries: Entry[]) => void;
  #onError: (error: unknown) => void;
  #closed = false;
  /** After a failed read, no new page is requested before this time (ms since epoch). */
  #pausedUntil = 0;
  #firstSeq = 0;
  #onTrimmed: (firstSeq: number) => void;

  /**
   * `onTrimmed(firstSeq)` is called when a page read shows the thread no longer stores the seqs
   * below firstSeq (reads below firstSeq start at firstSeq: a page starting higher than asked).
   */
  constructor(
    client: CryoClient,
    threadId: string,
    onLoaded: (entries: Entry[]) => void,
    onError: (error: unknown) => void,
    onTrimmed: (firstSeq: number) => void = () => undefined,
  ) {
    this.#client = client;
    this.threadId = threadId;
    this.#onLoaded = onLoaded;
    this.#onError = onError;
    this.#onTrimmed = onTrimmed;
  }

  /** The lowest seq the thread stores: entries below it are dropped and never requested again. */
  get firstSeq(): number {
    return this.#firstSeq;
  }

  /** Records a trim: forgets the entries below `firstSeq` (no-op unless it moves firstSeq up). */
  setFirstSeq(firstSeq: number): void {
    if (firstSeq <= this.#firstSeq) return;
    this.#firstSeq = firstSeq;
    for (const seq of this.#entries.keys()) if (seq < firstSeq) this.#entries.delete(seq);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(seq: number): Entry | undefined {
    return this.#entries.get(seq);
  }

  put(entry: Entry): void {
    this.#entries.set(entry.seq, entry);
  }

  /** Loaded entries in seq order. */
  sorted(): Entry[] {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Forgets everything (the thread was deleted or re-created). */
  clear(): void {
    this.#entries.clear();
    this.#firstSeq = 0;
  }

  /** Stops loading; pages in flight are dropped. */
  close(): void {
    this.#closed = true;
  }

  /** Loads the pages covering seqs [from, to] that are missing; calls onLoaded with each page's entries. */
  ensure(from: number, to: number): void {
    if (Date.now() < this.#pausedUntil) return;
    from = Math.max(from, this.#firstSeq);
    for (let page = Math.floor(from / PAGE); page <= Math.floor(to / PAGE); page++) {
      const start = page * PAGE;
      if (this.#loading.has(page) || this.#hasAll(Math.max(start, this.#firstSeq), Math.min(to + 1, start + PAGE))) continue;
      this.#loading.add(page);
      this.#client
        .thread({ id: this.threadId, first: PAGE, after: start === 0 ? null : entryCursor(start - 1) })
        .then((thread) => {
          if (this.#closed) return;
          const entries = (thread?.entries.edges.map((edge) => edge.node) ?? []).filter((entry) => entry.seq >= this.#firstSeq);
          const asked = Math.max(start, this.#firstSeq);
          if (entries.length > 0 && entries[0]!.seq > asked) {
            this.setFirstSeq(entries[0]!.seq);
            this.#onTrimmed(entries[0]!.seq);
          }
          for (const entry of entries) this.#entries.set(entry.seq, entry);
          this.#onLoaded(entries);
        })
        .catch((error: unknown) => {
          if (this.#closed) return;
          this.#pausedUntil = Date.now() + RETRY_AFTER_MS;
          this.#onError(error);
        })
        .finally(() => this.#loading.delete(page));
    }
  }

  #hasAll(from: number, to: number): boolean {
    for (let seq = from; seq < to; seq++) if (!this.#entries.has(seq)) return false;
    return true;
  }
}
