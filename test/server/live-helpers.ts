import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';

/** One event of a threadEntries subscription as it arrives over the wire. */
export type WireEvent =
  | { __typename: 'Entry'; seq: number; id: string; threadId: string }
  | { __typename: 'CaughtUp'; threadId: string; rev: number }
  | { __typename: 'ThreadDeleted'; threadId: string }
  | { __typename: 'JournalTrimmed'; threadId: string; firstSeq: number };

export const THREAD_ENTRIES = /* GraphQL */ `
  subscription Live($threadId: ID!, $fromSeq: Int) {
    threadEntries(threadId: $threadId, fromSeq: $fromSeq) {
      __typename
      ... on Entry { seq id threadId }
      ... on CaughtUp { threadId rev }
      ... on ThreadDeleted { threadId }
      ... on JournalTrimmed { threadId firstSeq }
    }
  }
`;

export const CHECKPOINT_EVENTS = /* GraphQL */ `
  subscription Checkpoints($agentType: String) {
    checkpointEvents(agentType: $agentType) {
      __typename
      ... on CheckpointSaved { checkpoint { agentType agentId rev state thread { id rev } } }
      ... on CheckpointDeleted { agentType agentId }
    }
  }
`;

/** A graphql-ws client on the test server that never retries (a failure must show). */
export function wsClient(graphqlUrl: string): Client {
  return createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
}

/**
 * Records the results of one subscription and lets a test wait for a condition on them:
 * every wait is resolved by an arriving message (or the end of the stream), never by a timer.
 */
export class Recording<T = unknown> {
  readonly data: T[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  #waiters: Array<{ check: () => boolean; resolve: () => void; reject: (e: Error) => void }> = [];
  readonly dispose: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown>, field: string) {
    this.dispose = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (result: FormattedExecutionResult<Record<string, T>>) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.data.push(result.data[field]!);
          this.#settle();
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...error);
          else this.errors.push(error);
          this.completed = true;
          this.#settle();
        },
        complete: () => {
          this.completed = true;
          this.#settle();
        },
      },
    );
  }

  /** Resolves once `check(this)` holds; rejects when the stream ends first without it holding. */
  until(check: (r: this) => boolean): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ check: () => check(this), resolve, reject }));
  }

  #settle(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.check()) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      } else if (this.completed) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.reject(new Error(`stream ended: ${JSON.stringify({ errors: this.errors, last: this.data.slice(-3) })}`));
      }
    }
  }
}

/** Seqs of the Entry events. */
export const wireSeqs = (events: WireEvent[]): number[] => events.flatMap((e) => (e.__typename === 'Entry' ? [e.seq] : []));

/** True once the recording holds an Entry with this seq. */
export const hasSeq = (seq: number) => (r: Recording<WireEvent>) => r.data.some((e) => e.__typename === 'Entry' && e.seq === seq);

/** True once a CaughtUp arrived. */
export const caughtUp = (r: Recording<WireEvent>) => r.data.some((e) => e.__typename === 'CaughtUp');

export { prng, range } from '../live/helpers.js';

export const APPEND = /* GraphQL */ `
  mutation Append($input: AppendEntriesInput!) {
    appendEntries(input: $input) {
      __typename
      ... on AppendEntriesSuccess { thread { rev } entries { seq } }
    }
  }
`;
