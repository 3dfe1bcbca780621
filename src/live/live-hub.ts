import { validateRev } from '../domain/validate.js';
import type { Storage } from '../storage/types.js';
import { CheckpointEventsSubscription, CheckpointWatcher } from './checkpoint-events.js';
import { FeedWatcher } from './feed-watcher.js';
import { resolveLiveOptions, type LiveOptions, type ResolvedLiveOptions } from './events.js';
import { ThreadEntriesSubscription, type ThreadSubscriptionStats } from './thread-entries.js';
import { ThreadWatcher, type DeliveryProbe, type ReadCounters } from './thread-watcher.js';

/** Options of {@link LiveHub.threadEntries}. */
export interface ThreadEntriesOptions {
  namespace: string;
  threadId: string;
  /** Replay from this seq (≥ 0); null/undefined: CaughtUp with the current rev, then live. */
  fromSeq?: number | null;
}

/** Options of {@link LiveHub.checkpointEvents}. */
export interface CheckpointEventsOptions {
  namespace: string;
  /** Only checkpoints of this agent type; null/undefined: all. */
  agentType?: string | null;
}

/** A snapshot of the hub, for leak tests, bounded-memory tests and the benchmark. */
export interface LiveStats {
  /** Threads with an active ChangeFeed listener in this process. */
  threadWatchers: number;
  /** Namespaces with an active checkpoint listener in this process. */
  checkpointWatchers: number;
  threadSubscriptions: ThreadSubscriptionStats[];
  checkpointSubscriptions: number;
  /** Range reads so far: shared by a watcher, or done by one subscriber. */
  reads: ReadCounters;
}

/**
 * The live layer of one Storage in one process: hands out `threadEntries` and
 * `checkpointEvents` subscriptions and shares one ChangeFeed listener (and one storage read per
 * notification) per thread, and one listener (and one checkpoint read per event) per namespace,
 * between all local subscribers. Re-reads heads when the feed reports it recovered. Does NOT
 * own the storage: `close()` ends the subscriptions and listeners, never the storage.
 */
export class LiveHub {
  readonly options: ResolvedLiveOptions;
  readonly #threads = new Map<string, ThreadWatcher>();
  readonly #checkpoints = new Map<string, CheckpointWatcher>();
  readonly #subscriptions = new Set<ThreadEntriesSubscription>();
  readonly #checkpointSubscriptions = new Set<CheckpointEventsSubscription>();
  readonly #counters: ReadCounters = { sharedReads: 0, ownReads: 0 };
  readonly #probe: DeliveryProbe = { onDeliveryLag: null };
  #stopStatus: (() => void) | null = null;

  constructor(
    readonly storage: Storage,
    options: LiveOptions = {},
  ) {
    this.options = resolveLiveOptions(options);
  }

  /**
   * Opens a subscription; resolves once its listener is active (so the replay cannot miss an
   * append). Throws ValidationError for a negative or non-integer fromSeq.
   */
  async threadEntries(options: ThreadEntriesOptions): Promise<ThreadEntriesSubscription> {
    const fromSeq = options.fromSeq == null ? undefined : validateRev(options.fromSeq, 'fromSeq');
    const key = JSON.stringify([options.namespace, options.threadId]);
    const watcher = await this.#join(this.#threads, key, () =>
      new ThreadWatcher(this.storage, options.namespace, options.threadId, this.options.pageSize, this.#counters, this.#probe),
    );
    const subscription = new ThreadEntriesSubscription(
      watcher,
      this.storage,
      {
        namespace: options.namespace,
        threadId: options.threadId,
        fromSeq,
        pageSize: this.options.pageSize,
        queueCapacity: this.options.queueCapacity,
      },
      this.#counters,
      async (ended) => {
        this.#subscriptions.delete(ended);
        watcher.remove(ended);
        await this.#leave(this.#threads, key, watcher);
      },
    );
    watcher.add(subscription);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Opens a checkpoint subscription; resolves once its listener is active. */
  async checkpointEvents(options: CheckpointEventsOptions): Promise<CheckpointEventsSubscription> {
    const { namespace } = options;
    const watcher = await this.#join(this.#checkpoints, namespace, () => new CheckpointWatcher(this.storage, namespace));
    const subscription = new CheckpointEventsSubscription(
      options.agentType ?? null,
      this.options.maxPendingCheckpointEvents,
      async (ended) => {
        this.#checkpointSubscriptions.delete(ended);
        watcher.remove(ended);
        await this.#leave(this.#checkpoints, namespace, watcher);
      },
    );
    watcher.add(subscription);
    this.#checkpointSubscriptions.add(subscription);
    return subscription;
  }

  /**
   * Measures live delivery: `onDeliveryLag(seconds)` is called once per append notification,
   * with the time from its arrival to the moment the entries it announced were queued for every
   * caught-up subscriber of its thread (what the transport does next is not included). Null stops it.
   */
  measureDeliveryLag(onDeliveryLag: ((seconds: number) => void) | null): void {
    this.#probe.onDeliveryLag = onDeliveryLag;
  }

  /**
   * How many entries the furthest-behind thread subscriber has yet to receive: the newest rev its
   * thread's watcher knows minus the next seq its consumer will see. 0 without subscribers.
   * Cost: one pass over the subscriptions.
   */
  maxEntriesBehind(): number {
    let max = 0;
    for (const subscription of this.#subscriptions) {
      const behind = subscription.entriesBehind();
      if (behind > max) max = behind;
    }
    return max;
  }

  /** Open subscriptions by root field; cheap (no pass over them), for the metrics scrape. */
  openSubscriptions(): { threadEntries: number; checkpointEvents: number } {
    return { threadEntries: this.#subscriptions.size, checkpointEvents: this.#checkpointSubscriptions.size };
  }

  stats(): LiveStats {
    return {
      threadWatchers: this.#threads.size,
      checkpointWatchers: this.#checkpoints.size,
      threadSubscriptions: [...this.#subscriptions].map((s) => s.stats()),
      checkpointSubscriptions: this.#checkpointSubscriptions.size,
      reads: { ...this.#counters },
    };
  }

  /** Ends every subscription (consumers see the end of their stream) and stops listening. */
  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.return()));
    await Promise.all([...this.#checkpointSubscriptions].map((s) => s.return()));
  }

  /**
   * The watcher of `key` (created with `create` when there is none), counted once more for a
   * subscriber being set up; resolves once its listener is active, else uncounts it and throws.
   */
  async #join<W extends FeedWatcher<unknown>>(watchers: Map<string, W>, key: string, create: () => W): Promise<W> {
    let watcher = watchers.get(key);
    if (!watcher) {
      watcher = create();
      watchers.set(key, watcher);
      this.#watchStatus();
    }
    watcher.retain();
    try {
      await watcher.ready;
    } catch (error) {
      await this.#leave(watchers, key, watcher);
      throw error;
    }
    return watcher;
  }

  /** Uncounts one subscriber of `watcher`; with the last one gone, closes it. */
  async #leave<W extends FeedWatcher<unknown>>(watchers: Map<string, W>, key: string, watcher: W): Promise<void> {
    if (!watcher.release()) return;
    if (watchers.get(key) === watcher) watchers.delete(key);
    this.#unwatchStatusWhenIdle();
    await watcher.close();
  }

  #watchStatus(): void {
    if (this.#stopStatus || !this.storage.changes.onStatus) return;
    this.#stopStatus = this.storage.changes.onStatus((healthy) => {
      if (!healthy) return;
      for (const watcher of this.#threads.values()) void watcher.recheck();
    });
  }

  #unwatchStatusWhenIdle(): void {
    if (this.#threads.size > 0 || this.#checkpoints.size > 0) return;
    this.#stopStatus?.();
    this.#stopStatus = null;
  }
}
