import type { Entry } from '../domain/types.js';
import type { ChangeEvent, Storage } from '../storage/types.js';
import { FeedWatcher } from './feed-watcher.js';

/** What a ThreadWatcher needs from each local subscriber of its thread. */
export interface ThreadSink {
  /** True once the subscriber has replayed and wants live entries from the watcher. */
  readonly live: boolean;
  /** The next seq the subscriber needs. */
  readonly nextSeq: number;
  /** How many more entries it can queue now. */
  readonly room: number;
  /** Entries read by the watcher; the subscriber takes the part at its nextSeq that fits. */
  offer(entries: readonly Entry[]): void;
  /** Something changed (head moved, status recovered): re-evaluate. */
  wake(): void;
  /** The thread was deleted. */
  markDeleted(): void;
  /**
   * The entries below `firstSeq` are gone (a trim): a subscriber whose nextSeq is below it skips
   * to firstSeq and tells its consumer once; the others ignore it.
   */
  trimmed(firstSeq: number): void;
  /** The shared read this subscriber waited for failed. */
  fail(error: unknown): void;
}

/** Counters shared by every watcher of one hub, for tests and the benchmark. */
export interface ReadCounters {
  /** Range reads done by watchers on behalf of their caught-up subscribers. */
  sharedReads: number;
  /** Range reads done by single subscribers (replay, laggards). */
  ownReads: number;
}

/** Where the watchers of one hub report their delivery lag (src/metrics/live-metrics.ts). */
export interface DeliveryProbe {
  /**
   * Called with the seconds from an append notification's arrival to the moment the entries it
   * announced were queued for every caught-up local subscriber; null when nobody measures.
   */
  onDeliveryLag: ((seconds: number) => void) | null;
}

/** Most notifications a watcher times at once; later ones wait until earlier ones are served (bounded memory). */
const MAX_TIMED = 64;

/**
 * Follows one thread for every local subscriber of it: one ChangeFeed listener per thread per
 * process, and one storage read per new range, whose entries are offered to every caught-up
 * subscriber (subscribers behind `tip` read for themselves). It knows the thread only through
 * notifications and reads: `known` is the highest rev seen, a hint that storage may hold more;
 * storage stays the truth. It does NOT buffer entries: a read's entries live only in the queues
 * of the subscribers that took them. Trims reach subscribers two ways: a `thread-trimmed`
 * notification, and a read that starts above the seq it asked for (reads below firstSeq start
 * at firstSeq, so a leading gap is a trim — e.g. a maxEntries policy applied inside an append).
 */
export class ThreadWatcher extends FeedWatcher<ThreadSink> {
  #known = 0;
  #tip: number | undefined;
  #pumping = false;
  #generation = 0;
  /** Append notifications not served yet, oldest first: [rev announced, arrival time in ms]. */
  #timed: Array<[number, number]> = [];

  constructor(
    readonly storage: Storage,
    readonly namespace: string,
    readonly threadId: string,
    readonly pageSize: number,
    readonly counters: ReadCounters,
    readonly probe: DeliveryProbe = { onDeliveryLag: null },
  ) {
    super((listener) => storage.changes.subscribeThread(namespace, threadId, listener));
  }

  /** Highest rev seen in a notification or a read; 0 when unknown. */
  get known(): number {
    return this.#known;
  }

  /** Every live subscriber at `tip` or beyond has been offered the entries below it; undefined before the first shared read. */
  get tip(): number | undefined {
    return this.#tip;
  }

  /** A subscriber read up to `rev` itself: storage holds at least that much. */
  sawRev(rev: number): void {
    if (rev > this.#known) this.#known = rev;
  }

  /** Reads and offers new ranges until every live subscriber at or past `tip` has reached `known`. */
  pump(): void {
    if (this.#pumping || this.closed) return;
    this.#pumping = true;
    void this.#run();
  }

  /**
   * After the feed recovered: re-read the head and deliver what was missed. A missed deletion is
   * detected when the thread is gone or shorter than a rev already seen; a thread deleted and
   * re-created to at least that length while the feed was down is NOT detected (its entries
   * would be delivered as a continuation).
   */
  async recheck(): Promise<void> {
    const generation = this.#generation;
    // Compare with what was known before the read: appends notified during it move `known`
    // past the head we read, which is not a deletion.
    const seen = this.#known;
    let head;
    try {
      head = await this.storage.getThread({ namespace: this.namespace, threadId: this.threadId });
    } catch {
      return; // storage is down too: a later recovery or notification retries
    }
    if (generation !== this.#generation || this.closed) return;
    if ((head === null && seen > 0) || (head !== null && head.rev < seen)) {
      this.#deleted();
      return;
    }
    if (head && head.rev > this.#known) this.#known = head.rev;
    if (head && head.firstSeq > 0) for (const sink of [...this.subscribers]) sink.trimmed(head.firstSeq);
    for (const sink of this.subscribers) sink.wake();
    this.pump();
  }

  protected onEvent(event: ChangeEvent): void {
    if (event.type === 'thread-deleted') this.#deleted();
    else if (event.type === 'thread-trimmed') this.#trimmed(event.firstSeq);
    else if (event.type === 'thread-appended' && event.rev > this.#known) {
      if (this.probe.onDeliveryLag && this.#timed.length < MAX_TIMED) this.#timed.push([event.rev, performance.now()]);
      this.#known = event.rev;
      this.pump();
    }
  }

  /** Storage dropped the entries below `firstSeq`: subscribers needing them move on. */
  #trimmed(firstSeq: number): void {
    if (firstSeq > this.#known) this.#known = firstSeq;
    for (const sink of [...this.subscribers]) sink.trimmed(firstSeq);
    this.pump();
  }

  #deleted(): void {
    this.#generation++;
    this.#known = 0;
    this.#tip = undefined;
    this.#timed = [];
    for (const sink of [...this.subscribers]) sink.markDeleted();
  }

  /** The lowest nextSeq of a live subscriber with room that is not behind `tip`. */
  #rangeStart(): number | undefined {
    const floor = this.#tip ?? 0;
    let start: number | undefined;
    for (const sink of this.subscribers) {
      if (sink.live && sink.room > 0 && sink.nextSeq >= floor && (start === undefined || sink.nextSeq < start)) start = sink.nextSeq;
    }
    return start;
  }

  async #run(): Promise<void> {
    for (;;) {
      const from = this.#rangeStart();
      if (this.closed || from === undefined || from >= this.#known) {
        // Every live subscriber has what was announced (some read it themselves).
        if (from !== undefined && this.#timed.length > 0) this.#served(from);
        this.#pumping = false;
        return;
      }
      const generation = this.#generation;
      let entries: Entry[];
      try {
        this.counters.sharedReads++;
        entries = await this.storage.readEntries({
          namespace: this.namespace,
          threadId: this.threadId,
          fromSeq: from,
          limit: Math.min(this.#known - from, this.pageSize),
        });
      } catch (error) {
        this.#pumping = false;
        for (const sink of [...this.subscribers]) if (sink.live && sink.nextSeq >= from) sink.fail(error);
        return;
      }
      if (generation !== this.#generation) continue;
      const first = entries.length > 0 && entries[0]!.seq > from ? entries[0]!.seq : from;
      if (first > from) this.#trimmed(first);
      const count = contiguousPrefix(entries, first);
      if (count === 0) {
        // Storage is the truth: the notification ran ahead of what a read sees (or a deletion is on its way).
        this.#known = Math.max(from, this.#tip ?? 0);
        continue;
      }
      const range = count === entries.length ? entries : entries.slice(0, count);
      this.#tip = first + count;
      if (this.#tip > this.#known) this.#known = this.#tip;
      for (const sink of [...this.subscribers]) sink.offer(range);
      if (this.#timed.length > 0) this.#served(this.#tip);
    }
  }

  /** Reports the delivery lag of every timed notification whose rev the shared reads have now offered. */
  #served(tip: number): void {
    const now = performance.now();
    let served = 0;
    while (served < this.#timed.length && this.#timed[served]![0] <= tip) {
      this.probe.onDeliveryLag?.((now - this.#timed[served]![1]) / 1000);
      served++;
    }
    if (served > 0) this.#timed.splice(0, served);
  }
}

/** How many of `entries` carry the seqs from, from+1, … without a gap. */
export function contiguousPrefix(entries: readonly Entry[], from: number): number {
  let count = 0;
  while (count < entries.length && entries[count]!.seq === from + count) count++;
  return count;
}
