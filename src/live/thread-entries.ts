import type { Entry } from '../domain/types.js';
import type { Storage } from '../storage/types.js';
import { BoundedQueue } from './bounded-queue.js';
import type { ThreadEntriesEvent } from './events.js';
import { DONE, PullStream } from './pull-stream.js';
import { contiguousPrefix, type ReadCounters, type ThreadSink, type ThreadWatcher } from './thread-watcher.js';

/** Settings of one {@link ThreadEntriesSubscription}. */
export interface ThreadEntriesSettings {
  namespace: string;
  threadId: string;
  /** Replay from this seq; undefined: only entries appended after the CaughtUp. */
  fromSeq: number | undefined;
  pageSize: number;
  queueCapacity: number;
}

/** A snapshot of one subscription, for tests and diagnostics. */
export interface ThreadSubscriptionStats {
  id: number;
  namespace: string;
  threadId: string;
  phase: 'replay' | 'live' | 'ended';
  nextSeq: number;
  /** Entries queued now (read from storage, not yet taken by the consumer). */
  buffered: number;
  /** The most entries ever queued at once. */
  maxBuffered: number;
}

let lastId = 0;

/**
 * The catch-up-then-live iterator of one `threadEntries` subscription. Created by the LiveHub
 * after its thread's ChangeFeed listener is active, it replays `seq ≥ fromSeq` from storage one
 * page per pull, queues one CaughtUp, then takes live entries offered by the shared watcher, or
 * reads them itself when it fell behind (a slow consumer). Every entry is queued exactly once,
 * in seq order, because it only ever accepts the entries starting at its own `nextSeq`. When
 * that seq was trimmed (told by the watcher, or seen as a read starting higher), it queues one
 * JournalTrimmed and moves `nextSeq` to the thread's firstSeq; a subscription without fromSeq
 * never asked for old entries and gets none during its replay.
 * Memory: at most `queueCapacity` entries are queued; reads happen only when the consumer pulls
 * an empty queue or the watcher offers what fits. Does NOT promise delivery of entries of a
 * thread that gets deleted before they were read: ThreadDeleted ends the stream instead.
 */
export class ThreadEntriesSubscription extends PullStream<ThreadEntriesEvent> implements ThreadSink {
  readonly id = ++lastId;
  #nextSeq: number;
  #phase: 'replay' | 'live' = 'replay';
  readonly #queue: BoundedQueue;
  #deleted = false;
  #wakes = 0;

  constructor(
    readonly watcher: ThreadWatcher,
    readonly storage: Storage,
    readonly settings: ThreadEntriesSettings,
    readonly counters: ReadCounters,
    readonly onEnd: (subscription: ThreadEntriesSubscription) => Promise<void>,
  ) {
    super();
    this.#nextSeq = settings.fromSeq ?? 0;
    this.#queue = new BoundedQueue(settings.queueCapacity);
  }

  get live(): boolean {
    return this.#phase === 'live' && !this.#deleted && !this.ended;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  get room(): number {
    return this.#queue.room;
  }

  /** Entries known to exist that the consumer has not received yet (queued ones included); 0 during the replay. */
  entriesBehind(): number {
    if (this.#phase !== 'live' || this.ended) return 0;
    return Math.max(0, this.watcher.known - this.#nextSeq) + this.#queue.entries;
  }

  stats(): ThreadSubscriptionStats {
    return {
      id: this.id,
      namespace: this.settings.namespace,
      threadId: this.settings.threadId,
      phase: this.ended ? 'ended' : this.#phase,
      nextSeq: this.#nextSeq,
      buffered: this.#queue.entries,
      maxBuffered: this.#queue.highWater,
    };
  }

  offer(entries: readonly Entry[]): void {
    if (!this.live || entries.length === 0) return;
    const start = this.#nextSeq - entries[0]!.seq;
    if (start < 0 || start >= entries.length) return;
    const taken = this.#queue.pushEntries(entries, start);
    if (taken > 0) {
      this.#nextSeq += taken;
      this.wake();
    }
  }

  override wake(): void {
    this.#wakes++;
    super.wake();
  }

  trimmed(firstSeq: number): void {
    if (this.ended || this.#deleted || this.#nextSeq >= firstSeq) return;
    if (this.#phase === 'replay' && this.settings.fromSeq === undefined) return;
    this.#queue.pushMarker({ type: 'journal-trimmed', threadId: this.settings.threadId, firstSeq });
    this.#nextSeq = firstSeq;
    this.wake();
  }

  markDeleted(): void {
    this.#deleted = true;
    this.wake();
  }

  protected override takeReady(): ThreadEntriesEvent | undefined {
    return this.#queue.shift();
  }

  protected async pull(): Promise<IteratorResult<ThreadEntriesEvent>> {
    for (;;) {
      if (this.ended) return DONE;
      const item = this.#queue.shift();
      if (item) return { value: item, done: false };
      if (this.failed) await this.endWithError();
      if (this.#deleted) {
        await this.end();
        return { value: { type: 'thread-deleted', threadId: this.settings.threadId }, done: false };
      }
      const wakes = this.#wakes;
      if (this.#phase === 'replay') {
        await this.#replayStep();
        continue;
      }
      const watcher = this.watcher;
      if (this.#nextSeq < watcher.known) {
        if (watcher.tip !== undefined && this.#nextSeq < watcher.tip) {
          if (await this.#readOwn()) continue;
        } else {
          watcher.pump();
        }
      }
      if (this.#wakes === wakes) await this.waitForWake();
    }
  }

  async #replayStep(): Promise<void> {
    const { namespace, threadId, fromSeq, pageSize } = this.settings;
    try {
      if (fromSeq === undefined) {
        const head = await this.storage.getThread({ namespace, threadId });
        if (this.#phase !== 'replay' || this.#deleted || this.ended) return;
        this.#nextSeq = head?.rev ?? 0;
      } else {
        const from = this.#nextSeq;
        this.counters.ownReads++;
        const entries = await this.storage.readEntries({ namespace, threadId, fromSeq: from, limit: pageSize });
        if (this.#phase !== 'replay' || this.#deleted || this.ended || this.#nextSeq !== from) return;
        if (entries.length === 0 && !(await this.#replayMayEndAt(from))) return;
        if (entries.length > 0 && entries[0]!.seq > from) this.trimmed(entries[0]!.seq);
        const count = contiguousPrefix(entries, this.#nextSeq);
        this.#nextSeq += this.#queue.pushEntries(entries.slice(0, count));
        if (count === pageSize) return;
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    if (fromSeq === undefined || this.#nextSeq > fromSeq) this.watcher.sawRev(this.#nextSeq);
    this.#queue.pushMarker({ type: 'caught-up', threadId, rev: this.#nextSeq });
    this.#phase = 'live';
  }

  /**
   * After a replay read that found nothing at `from`: true when the replay may end there, false
   * when it must read again (the head shows `from` was trimmed — a fully trimmed thread has no
   * entry to reveal it — and the JournalTrimmed is queued, or something changed meanwhile).
   */
  async #replayMayEndAt(from: number): Promise<boolean> {
    const { namespace, threadId } = this.settings;
    const head = await this.storage.getThread({ namespace, threadId });
    if (this.#phase !== 'replay' || this.#deleted || this.ended || this.#nextSeq !== from) return false;
    if (head === null || head.firstSeq <= from) return true;
    this.trimmed(head.firstSeq);
    return false;
  }

  /** A laggard reads the next range itself. False when storage had nothing new (wait for a wake). */
  async #readOwn(): Promise<boolean> {
    const { namespace, threadId } = this.settings;
    const from = this.#nextSeq;
    let entries: Entry[];
    try {
      this.counters.ownReads++;
      entries = await this.storage.readEntries({ namespace, threadId, fromSeq: from, limit: this.#queue.room });
    } catch (error) {
      this.fail(error);
      return true;
    }
    if (!this.live || this.#nextSeq !== from) return true;
    if (entries.length > 0 && entries[0]!.seq > from) this.trimmed(entries[0]!.seq);
    const count = contiguousPrefix(entries, this.#nextSeq);
    this.#nextSeq += this.#queue.pushEntries(entries.slice(0, count));
    this.watcher.sawRev(this.#nextSeq);
    return count > 0;
  }

  protected clear(): void {
    this.#queue.clear();
  }

  protected released(): Promise<void> {
    return this.onEnd(this);
  }
}
