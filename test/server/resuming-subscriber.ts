import type { Client } from 'graphql-ws';
import { THREAD_ENTRIES, type WireEvent } from './live-helpers.js';

/**
 * A threadEntries subscriber that behaves as the README asks of clients: when the stream ends
 * with an error, it resubscribes with fromSeq = last seen + 1. Waits are resolved by arriving
 * messages only.
 */
export class ResumingSubscriber {
  readonly seqs: number[] = [];
  readonly errors: unknown[] = [];
  /** Typenames of the non-Entry events (CaughtUp, ThreadDeleted, …), in arrival order. */
  readonly others: string[] = [];
  resumes = 0;
  #dispose: () => void = () => {};
  #waiters: { check: () => boolean; resolve: () => void }[] = [];
  #stopped = false;

  constructor(
    readonly client: Client,
    readonly threadId: string,
  ) {
    this.#subscribe(0);
  }

  until(check: (s: this) => boolean): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ check: () => check(this), resolve }));
  }

  stop(): void {
    this.#stopped = true;
    this.#dispose();
  }

  #subscribe(fromSeq: number): void {
    this.#dispose = this.client.subscribe<{ threadEntries: WireEvent }>(
      { query: THREAD_ENTRIES, variables: { threadId: this.threadId, fromSeq } },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          const event = result.data?.threadEntries;
          if (event?.__typename === 'Entry') this.seqs.push(event.seq);
          else if (event) this.others.push(event.__typename);
          this.#settle();
        },
        error: (error) => this.#ended(error),
        complete: () => this.#ended(null),
      },
    );
  }

  #ended(error: unknown): void {
    if (this.#stopped) return;
    if (error) this.errors.push(error);
    this.resumes++;
    this.#subscribe((this.seqs.at(-1) ?? -1) + 1);
  }

  #settle(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.check()) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

