import { CryoClientError } from './errors.js';
import type { ThreadEntriesSubscription, ThreadEntriesSubscriptionVariables } from './gql/graphql.js';
import { type AttemptSink, Resubscriber } from './resubscribe.js';

/** One event of a journal subscription: an Entry, CaughtUp, JournalTrimmed or ThreadDeleted (switch on __typename). */
export type ThreadEntriesEvent = ThreadEntriesSubscription['threadEntries'];

/**
 * Where a watch is: `connecting` (first attempt), `replaying` (history arriving), `live` (CaughtUp
 * seen, following new entries), `reconnecting` (connection lost; it resubscribes by itself),
 * `deleted` (ThreadDeleted received; finished), `failed` (a permanent error; finished), `closed`.
 */
export type WatchStatus = 'connecting' | 'replaying' | 'live' | 'reconnecting' | 'deleted' | 'failed' | 'closed';

/** Options of watchThread. */
export interface WatchThreadOptions {
  /** First seq wanted. Omitted: only entries appended from now on (CaughtUp comes first). */
  fromSeq?: number | null;
  /**
   * Every event, in seq order, each Entry exactly once. CaughtUp repeats after each reconnect.
   * A JournalTrimmed says the seqs from the last one delivered up to its firstSeq were trimmed on
   * the server before this watch read them: they will never come, and the next Entry has seq
   * firstSeq. It is delivered once per trim that skipped seqs of this watch.
   */
  onEvent(event: ThreadEntriesEvent): void;
  /** Status changes; `error` is set for `reconnecting` (the cause) and `failed`. */
  onStatus?(status: WatchStatus, error?: CryoClientError): void;
  /** Delay before retry number `attempt`. @default 250 ms doubling to 5 s, jittered */
  retryDelay?(attempt: number): number;
}

/** A running journal watch. */
export interface ThreadWatch {
  /** Seq of the last entry delivered (or the position CaughtUp established); null before either. */
  readonly lastSeen: number | null;
  /** The firstSeq of the last JournalTrimmed delivered (seqs below it were skipped); null when none was. */
  readonly trimmedBefore: number | null;
  readonly status: WatchStatus;
  /** Stops the watch. Idempotent. */
  close(): void;
}

/** Starts one raw threadEntries subscription attempt; returns its stop function. */
export type ThreadEntriesSubscribe = (
  variables: ThreadEntriesSubscriptionVariables,
  sink: AttemptSink<ThreadEntriesEvent>,
) => () => void;

/**
 * Follows a thread's journal so that its consumer sees every entry once, in seq order, with no
 * gap, across dropped connections and server restarts: each new attempt subscribes from
 * lastSeen + 1, entries with seq ≤ lastSeen are dropped, and an entry (or CaughtUp) that skips
 * seqs restarts the subscription from lastSeen + 1 (after the usual backoff) instead of being
 * delivered. The one sanctioned skip is a JournalTrimmed (the server trimmed those seqs): it is
 * delivered, and the watch goes on from its firstSeq (a reconnect resubscribes from there). It does NOT survive the server losing data it had acknowledged: a journal shorter
 * than what was already delivered ends the watch as `failed` with code JOURNAL_REGRESSED.
 */
export function watchThread(
  subscribe: ThreadEntriesSubscribe,
  threadId: string,
  options: WatchThreadOptions,
  defaultRetryDelay: (attempt: number) => number,
): ThreadWatch {
  let lastSeen: number | null = options.fromSeq == null ? null : options.fromSeq - 1;
  let highestDelivered: number | null = null;
  let trimmedBefore: number | null = null;
  let status: WatchStatus = 'connecting';

  const setStatus = (next: WatchStatus, error?: CryoClientError) => {
    if (next === status && !error) return;
    status = next;
    options.onStatus?.(next, error);
  };

  const onEntry = (event: Extract<ThreadEntriesEvent, { __typename: 'Entry' }>) => {
    if (lastSeen !== null && event.seq <= lastSeen) return;
    if (lastSeen !== null && event.seq > lastSeen + 1) {
      resubscriber.retry(gap(threadId, lastSeen, event.seq));
      return;
    }
    lastSeen = event.seq;
    highestDelivered = event.seq;
    if (status !== 'live') setStatus('replaying');
    options.onEvent(event);
  };

  const onCaughtUp = (event: Extract<ThreadEntriesEvent, { __typename: 'CaughtUp' }>) => {
    if (highestDelivered !== null && event.rev - 1 < highestDelivered) {
      resubscriber.close();
      const message = `Thread ${threadId} has rev ${event.rev} but seq ${highestDelivered} was already delivered`;
      setStatus('failed', new CryoClientError(message, { code: 'JOURNAL_REGRESSED' }));
      return;
    }
    if (lastSeen === null) lastSeen = event.rev - 1;
    else if (event.rev - 1 > lastSeen) {
      resubscriber.retry(gap(threadId, lastSeen, event.rev - 1));
      return;
    }
    resubscriber.resetBackoff();
    setStatus('live');
    options.onEvent(event);
  };

  const onTrimmed = (event: Extract<ThreadEntriesEvent, { __typename: 'JournalTrimmed' }>) => {
    const next = lastSeen === null ? 0 : lastSeen + 1;
    if (event.firstSeq <= next) return; // nothing this watch still needed was trimmed
    lastSeen = event.firstSeq - 1;
    trimmedBefore = event.firstSeq;
    options.onEvent(event);
  };

  const resubscriber = new Resubscriber<ThreadEntriesEvent>({
    start: (sink) => subscribe({ threadId, fromSeq: lastSeen === null ? null : lastSeen + 1 }, sink),
    onValue: (event) => {
      switch (event.__typename) {
        case 'Entry':
          onEntry(event);
          return;
        case 'CaughtUp':
          onCaughtUp(event);
          return;
        case 'JournalTrimmed':
          onTrimmed(event);
          return;
        case 'ThreadDeleted':
          resubscriber.close();
          setStatus('deleted');
          options.onEvent(event);
          return;
      }
    },
    onComplete: () => status !== 'deleted' && status !== 'failed',
    onRetrying: (error) => setStatus('reconnecting', error),
    onFatal: (error) => setStatus('failed', error),
    retryDelay: options.retryDelay ?? defaultRetryDelay,
  });
  resubscriber.restart();

  return {
    get lastSeen() {
      return lastSeen;
    },
    get trimmedBefore() {
      return trimmedBefore;
    },
    get status() {
      return status;
    },
    close() {
      resubscriber.close();
      if (status !== 'deleted' && status !== 'failed') setStatus('closed');
    },
  };
}

function gap(threadId: string, lastSeen: number, seq: number): CryoClientError {
  return new CryoClientError(`Thread ${threadId}: got seq ${seq} after ${lastSeen}; resubscribing from ${lastSeen + 1}`, { code: 'SEQ_GAP' });
}
