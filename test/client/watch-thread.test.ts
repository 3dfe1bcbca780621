import { describe, expect, it } from 'vitest';
import type { ThreadEntriesSubscriptionVariables } from '../../src/client/gql/graphql.js';
import type { AttemptSink } from '../../src/client/resubscribe.js';
import { type ThreadEntriesEvent, type WatchStatus, watchThread } from '../../src/client/watch-thread.js';

/** A scripted threadEntries source: each attempt is recorded; the test drives its sink. */
function scriptedSource() {
  const attempts: { variables: ThreadEntriesSubscriptionVariables; sink: AttemptSink<ThreadEntriesEvent>; stopped: boolean }[] = [];
  let waiter: { count: number; resolve: () => void } | null = null;
  const subscribe = (variables: ThreadEntriesSubscriptionVariables, sink: AttemptSink<ThreadEntriesEvent>) => {
    const attempt = { variables, sink, stopped: false };
    attempts.push(attempt);
    if (waiter && attempts.length >= waiter.count) waiter.resolve();
    return () => {
      attempt.stopped = true;
    };
  };
  const attemptNumber = (count: number) =>
    attempts.length >= count
      ? Promise.resolve(attempts[count - 1]!)
      : new Promise<(typeof attempts)[number]>((resolve) => {
          waiter = { count, resolve: () => resolve(attempts[count - 1]!) };
        });
  return { attempts, subscribe, attemptNumber };
}

const entry = (threadId: string, seq: number): ThreadEntriesEvent => ({
  __typename: 'Entry',
  id: `${threadId}-${seq}`,
  threadId,
  seq,
  at: new Date(0).toISOString(),
  kind: 'note',
  payload: { n: seq },
  refs: {},
});
const caughtUp = (threadId: string, rev: number): ThreadEntriesEvent => ({ __typename: 'CaughtUp', threadId, rev });
const trimmed = (threadId: string, firstSeq: number): ThreadEntriesEvent => ({ __typename: 'JournalTrimmed', threadId, firstSeq });
const threadId = () => `t-${Math.random().toString(36).slice(2)}`;

describe('watchThread (client-side ordering and resubscription)', () => {
  it('drops duplicates and resubscribes from lastSeen + 1 after a dropped connection', async () => {
    const id = threadId();
    const source = scriptedSource();
    const seen: number[] = [];
    const statuses: WatchStatus[] = [];
    const watch = watchThread(
      source.subscribe,
      id,
      { fromSeq: 0, onEvent: (e) => e.__typename === 'Entry' && seen.push(e.seq), onStatus: (s) => statuses.push(s) },
      () => 0,
    );
    const first = await source.attemptNumber(1);
    expect(first.variables).toEqual({ threadId: id, fromSeq: 0 });
    for (const seq of [0, 1, 1, 0, 2]) first.sink.next(entry(id, seq));
    first.sink.next(caughtUp(id, 3));
    first.sink.error({ code: 1006, reason: 'abnormal' });
    const second = await source.attemptNumber(2);
    expect(second.variables).toEqual({ threadId: id, fromSeq: 3 });
    // A server that replays too much (e.g. graphql-ws resending the original payload) is harmless.
    for (const seq of [1, 2, 3, 4]) second.sink.next(entry(id, seq));
    first.sink.next(entry(id, 99)); // a stale attempt is ignored
    second.sink.next(caughtUp(id, 5));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(watch.lastSeen).toBe(4);
    expect(statuses).toEqual(['replaying', 'live', 'reconnecting', 'replaying', 'live']);
    watch.close();
    expect(second.stopped).toBe(true);
  });

  it('never delivers across a gap: it resubscribes from lastSeen + 1 instead', async () => {
    const id = threadId();
    const source = scriptedSource();
    const seen: number[] = [];
    const watch = watchThread(source.subscribe, id, { fromSeq: 5, onEvent: (e) => e.__typename === 'Entry' && seen.push(e.seq) }, () => 0);
    const first = await source.attemptNumber(1);
    first.sink.next(entry(id, 5));
    first.sink.next(entry(id, 7));
    const second = await source.attemptNumber(2);
    expect(first.stopped).toBe(true);
    expect(second.variables.fromSeq).toBe(6);
    second.sink.next(entry(id, 6));
    second.sink.next(entry(id, 7));
    second.sink.next(caughtUp(id, 9));
    const third = await source.attemptNumber(3);
    expect(third.variables.fromSeq).toBe(8);
    expect(seen).toEqual([5, 6, 7]);
    watch.close();
  });

  it('without fromSeq, starts after CaughtUp and resubscribes from that rev', async () => {
    const id = threadId();
    const source = scriptedSource();
    const events: string[] = [];
    const watch = watchThread(
      source.subscribe,
      id,
      { onEvent: (e) => events.push(e.__typename === 'Entry' ? `e${e.seq}` : e.__typename) },
      () => 0,
    );
    const first = await source.attemptNumber(1);
    expect(first.variables.fromSeq).toBeNull();
    first.sink.next(caughtUp(id, 10));
    first.sink.next(entry(id, 10));
    first.sink.complete(); // completed without ThreadDeleted: resubscribe
    const second = await source.attemptNumber(2);
    expect(second.variables.fromSeq).toBe(11);
    second.sink.next(caughtUp(id, 11));
    second.sink.next({ __typename: 'ThreadDeleted', threadId: id });
    second.sink.complete();
    expect(events).toEqual(['CaughtUp', 'e10', 'CaughtUp', 'ThreadDeleted']);
    expect(watch.status).toBe('deleted');
    expect(source.attempts).toHaveLength(2);
  });

  it('delivers a JournalTrimmed once, goes on from its firstSeq, and resubscribes from there after a drop', async () => {
    const id = threadId();
    const source = scriptedSource();
    const events: string[] = [];
    const watch = watchThread(
      source.subscribe,
      id,
      { fromSeq: 0, onEvent: (e) => events.push(e.__typename === 'Entry' ? `e${e.seq}` : e.__typename === 'JournalTrimmed' ? `trimmed<${e.firstSeq}` : e.__typename) },
      () => 0,
    );
    const first = await source.attemptNumber(1);
    first.sink.next(entry(id, 0));
    first.sink.next(entry(id, 1));
    first.sink.next(trimmed(id, 10));
    expect(watch.lastSeen).toBe(9);
    expect(watch.trimmedBefore).toBe(10);
    first.sink.error({ code: 1006, reason: 'abnormal' });
    // Resumes at firstSeq: the trimmed seqs are not asked for again.
    const second = await source.attemptNumber(2);
    expect(second.variables).toEqual({ threadId: id, fromSeq: 10 });
    second.sink.next(trimmed(id, 10)); // nothing this watch needs: not delivered again
    for (const seq of [10, 11]) second.sink.next(entry(id, seq));
    second.sink.next(caughtUp(id, 12));
    second.sink.next(trimmed(id, 12)); // trims of delivered entries only: not delivered
    expect(events).toEqual(['e0', 'e1', 'trimmed<10', 'e10', 'e11', 'CaughtUp']);
    // An entry that skips seqs without a JournalTrimmed is still a gap: resubscribe, deliver nothing.
    second.sink.next(entry(id, 14));
    const third = await source.attemptNumber(3);
    expect(third.variables.fromSeq).toBe(12);
    third.sink.next(trimmed(id, 14));
    third.sink.next(entry(id, 14));
    third.sink.next(caughtUp(id, 15));
    expect(events).toEqual(['e0', 'e1', 'trimmed<10', 'e10', 'e11', 'CaughtUp', 'trimmed<14', 'e14', 'CaughtUp']);
    expect(watch.trimmedBefore).toBe(14);
    expect(watch.status).toBe('live');
    watch.close();
  });

  it('stops on a permanent error and on a journal shorter than what it delivered', async () => {
    const id = threadId();
    const source = scriptedSource();
    const failures: string[] = [];
    const onStatus = (status: WatchStatus, error?: { code: string }) => status === 'failed' && failures.push(error!.code);
    watchThread(source.subscribe, id, { fromSeq: 0, onEvent: () => undefined, onStatus }, () => 0);
    const first = await source.attemptNumber(1);
    first.sink.error([{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }]);

    const other = scriptedSource();
    watchThread(other.subscribe, id, { fromSeq: 0, onEvent: () => undefined, onStatus }, () => 0);
    const attempt = await other.attemptNumber(1);
    attempt.sink.next(entry(id, 0));
    attempt.sink.next(entry(id, 1));
    attempt.sink.next(caughtUp(id, 1));
    expect(failures).toEqual(['BAD_USER_INPUT', 'JOURNAL_REGRESSED']);
    expect(source.attempts).toHaveLength(1);
    expect(attempt.stopped).toBe(true);
  });
});
