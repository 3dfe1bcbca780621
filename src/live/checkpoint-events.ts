import { SubscriberTooSlow } from '../domain/errors.js';
import type { Checkpoint } from '../domain/types.js';
import type { ChangeEvent, Storage } from '../storage/types.js';
import type { CheckpointEvent } from './events.js';
import { FeedWatcher } from './feed-watcher.js';
import { DONE, PullStream } from './pull-stream.js';

const keyOf = (agentType: string, agentId: string): string => JSON.stringify([agentType, agentId]);
const MAX_AHEAD = 10_000;

/**
 * Follows the checkpoints of one namespace for every local subscriber: one ChangeFeed listener,
 * one storage read per 'checkpoint-saved' event (shared), events handled one at a time in
 * arrival order. The read returns the checkpoint as stored now: when it was overwritten since
 * the event, subscribers get the newer one, and the events of the revisions it already covers
 * are skipped without a read. A checkpoint deleted before the read yields nothing for that save
 * (its delete event follows). Does NOT replay events missed while the feed was down.
 */
export class CheckpointWatcher extends FeedWatcher<CheckpointEventsSubscription> {
  #chain: Promise<void> = Promise.resolve();
  /** Checkpoints delivered at a newer rev than their event: key → delivered rev. */
  readonly #ahead = new Map<string, number>();

  constructor(
    readonly storage: Storage,
    readonly namespace: string,
  ) {
    super((listener) => storage.changes.subscribeCheckpoints(namespace, listener));
  }

  protected onEvent(event: ChangeEvent): void {
    if (event.type === 'checkpoint-deleted') {
      this.#chain = this.#chain.then(() => {
        this.#ahead.delete(keyOf(event.agentType, event.agentId));
        this.#publish({ type: 'checkpoint-deleted', agentType: event.agentType, agentId: event.agentId });
      });
    } else if (event.type === 'checkpoint-saved') {
      this.#chain = this.#chain.then(() => this.#saved(event.agentType, event.agentId, event.rev));
    }
  }

  async #saved(agentType: string, agentId: string, rev: number): Promise<void> {
    if (this.closed || this.subscribers.size === 0) return;
    if (![...this.subscribers].some((s) => s.wants(agentType))) return;
    const key = keyOf(agentType, agentId);
    const delivered = this.#ahead.get(key);
    if (delivered !== undefined) {
      if (rev <= delivered) {
        if (rev === delivered) this.#ahead.delete(key);
        return;
      }
      this.#ahead.delete(key);
    }
    let checkpoint: Checkpoint | null;
    try {
      checkpoint = await this.storage.getCheckpoint({ namespace: this.namespace, agentType, agentId });
    } catch (error) {
      for (const subscriber of [...this.subscribers]) if (subscriber.wants(agentType)) subscriber.fail(error);
      return;
    }
    if (!checkpoint || this.closed) return;
    if (checkpoint.rev > rev) {
      if (this.#ahead.size >= MAX_AHEAD) this.#ahead.delete(this.#ahead.keys().next().value!);
      this.#ahead.set(key, checkpoint.rev);
    }
    this.#publish({ type: 'checkpoint-saved', checkpoint });
  }

  #publish(event: CheckpointEvent): void {
    for (const subscriber of [...this.subscribers]) subscriber.offer(event);
  }
}

/**
 * The iterator of one `checkpointEvents` subscription: a FIFO of events in the order the
 * watcher handled them. A consumer that lets more than `maxPending` events pile up is ended with
 * {@link SubscriberTooSlow} (checkpoint events cannot be re-read from storage, so the client must
 * resubscribe and re-list checkpoints); memory per subscriber is bounded by that count.
 */
export class CheckpointEventsSubscription extends PullStream<CheckpointEvent> {
  #queue: CheckpointEvent[] = [];
  #head = 0;

  constructor(
    readonly agentType: string | null,
    readonly maxPending: number,
    readonly onEnd: (subscription: CheckpointEventsSubscription) => Promise<void>,
  ) {
    super();
  }

  /** Events queued now. */
  get buffered(): number {
    return this.#queue.length - this.#head;
  }

  wants(agentType: string): boolean {
    return this.agentType === null || this.agentType === agentType;
  }

  offer(event: CheckpointEvent): void {
    if (this.ended || this.failed) return;
    const { agentType } = event.type === 'checkpoint-saved' ? event.checkpoint : event;
    if (!this.wants(agentType)) return;
    if (this.buffered >= this.maxPending) {
      this.fail(new SubscriberTooSlow(this.maxPending));
      return;
    }
    this.#queue.push(event);
    this.wake();
  }

  protected async pull(): Promise<IteratorResult<CheckpointEvent>> {
    for (;;) {
      if (this.ended) return DONE;
      if (this.#head < this.#queue.length) {
        const value = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined as unknown as CheckpointEvent;
        if (this.#head === this.#queue.length) this.clear();
        return { value, done: false };
      }
      if (this.failed) await this.endWithError();
      await this.waitForWake();
    }
  }

  protected clear(): void {
    this.#queue = [];
    this.#head = 0;
  }

  protected released(): Promise<void> {
    return this.onEnd(this);
  }
}
