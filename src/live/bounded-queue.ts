import type { Entry } from '../domain/types.js';
import type { ThreadEntriesEvent } from './events.js';

/**
 * The FIFO of one thread subscriber. It counts the entries it holds against a capacity: callers
 * ask `room` before pushing and stop pulling from storage when it is 0, so the queue never holds
 * more than `capacity` entries (plus at most one CaughtUp). It does not enforce the bound itself
 * beyond `pushEntries` taking at most `room` entries, and does not copy entries.
 */
export class BoundedQueue {
  #items: ThreadEntriesEvent[] = [];
  #head = 0;
  #entries = 0;
  #highWater = 0;

  constructor(readonly capacity: number) {}

  /** Entries currently queued. */
  get entries(): number {
    return this.#entries;
  }

  /** The most entries ever queued at once. */
  get highWater(): number {
    return this.#highWater;
  }

  /** How many more entries fit. */
  get room(): number {
    return Math.max(0, this.capacity - this.#entries);
  }

  get isEmpty(): boolean {
    return this.#head === this.#items.length;
  }

  /** Queues `entries[start..]`, at most `room` of them; returns how many were taken. */
  pushEntries(entries: readonly Entry[], start = 0): number {
    const count = Math.min(this.room, entries.length - start);
    for (let i = 0; i < count; i++) this.#items.push({ type: 'entry', entry: entries[start + i]! });
    this.#entries += Math.max(0, count);
    if (this.#entries > this.#highWater) this.#highWater = this.#entries;
    return Math.max(0, count);
  }

  /**
   * Queues a non-entry event (CaughtUp, JournalTrimmed); it does not count against the capacity.
   * A JournalTrimmed right after another one replaces it (no entry lies between them), so a
   * consumer that does not read while trims go on holds one marker, not one per trim.
   */
  pushMarker(event: Exclude<ThreadEntriesEvent, { type: 'entry' }>): void {
    const last = this.#items.length - 1;
    if (event.type === 'journal-trimmed' && last >= this.#head && this.#items[last]!.type === 'journal-trimmed') {
      this.#items[last] = event;
      return;
    }
    this.#items.push(event);
  }

  shift(): ThreadEntriesEvent | undefined {
    if (this.isEmpty) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as unknown as ThreadEntriesEvent;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    if (item.type === 'entry') this.#entries--;
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#entries = 0;
  }
}
