import { createClient, type Client } from 'graphql-sse';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPEND, THREAD_ENTRIES, type WireEvent } from './live-helpers.js';
import { range, takeUntil } from '../live/helpers.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';

/** Every event of a threadEntries subscription made through graphql-sse's client, as an iterator. */
function threadEntries(client: Client, threadId: string, fromSeq: number): AsyncIterableIterator<WireEvent> {
  const results = client.iterate<{ threadEntries: WireEvent }>({ query: THREAD_ENTRIES, variables: { threadId, fromSeq } });
  return (async function* () {
    try {
      for await (const result of results) {
        if (result.errors) throw new Error(`subscription error: ${JSON.stringify(result.errors)}`);
        yield result.data!.threadEntries;
      }
    } finally {
      await results.return?.();
    }
  })();
}

const seqs = (events: WireEvent[]) => events.flatMap((e) => (e.__typename === 'Entry' ? [e.seq] : []));

describe("threadEntries over SSE with graphql-sse's client (distinct connections mode)", () => {
  let t: TestApp;
  let client: Client;
  beforeAll(async () => {
    t = await startTestApp('memory');
    client = createClient({ url: t.graphqlUrl, singleConnection: false, retryAttempts: 0 });
  });
  afterEach(async () => {
    // Each subscription's connection is gone once its iterator returned.
    // (No event announces it: the hub's count is polled.)
    await eventually(async () => expect(t.app.live.stats().threadSubscriptions).toHaveLength(0));
  });
  afterAll(async () => {
    client?.dispose();
    await t?.close();
  });

  it('replays from a seq, sends CaughtUp, then live entries in order, and completes after ThreadDeleted', async () => {
    const threadId = freshId('sse-client');
    await t.data(APPEND, { input: { threadId, entries: range(0, 5).map((i) => ({ kind: `old-${i}` })) } });
    const events = threadEntries(client, threadId, 2);
    const replay = await takeUntil(events, (e) => e.__typename === 'CaughtUp');
    expect(replay).toEqual([
      expect.objectContaining({ __typename: 'Entry', seq: 2, threadId }),
      expect.objectContaining({ __typename: 'Entry', seq: 3, threadId }),
      expect.objectContaining({ __typename: 'Entry', seq: 4, threadId }),
      { __typename: 'CaughtUp', threadId, rev: 5 },
    ]);
    await t.data(APPEND, { input: { threadId, entries: [{ kind: 'live-a' }, { kind: 'live-b' }] } });
    await t.data(APPEND, { input: { threadId, entries: [{ kind: 'live-c' }] } });
    const live = await takeUntil(events, (e) => e.__typename === 'Entry' && e.seq === 7);
    expect(seqs(live)).toEqual([5, 6, 7]);
    await t.data('mutation($id: ID!) { deleteThread(id: $id) { deleted } }', { id: threadId });
    const rest: WireEvent[] = [];
    for await (const event of events) rest.push(event);
    expect(rest).toEqual([{ __typename: 'ThreadDeleted', threadId }]);
  });

  it('entries appended as the subscription starts (during replay or after) arrive once each, in seq order, with no gap', async () => {
    const threadId = freshId('sse-race');
    await t.data(APPEND, { input: { threadId, entries: range(0, 20).map(() => ({})) } });
    const events = threadEntries(client, threadId, 0);
    const first = await events.next(); // the subscription is open (replaying 20 entries)
    const appends = Promise.all(range(0, 10).map(() => t.data(APPEND, { input: { threadId, entries: [{}, {}] } })));
    const received = [first.value as WireEvent, ...(await takeUntil(events, (e) => e.__typename === 'Entry' && e.seq === 39))];
    await appends;
    expect(seqs(received)).toEqual(range(0, 40));
    const caughtUp = received.filter((e) => e.__typename === 'CaughtUp');
    expect(caughtUp).toHaveLength(1);
    expect((caughtUp[0] as { rev: number }).rev).toBeGreaterThanOrEqual(20);
    await events.return?.();
  });

  it('two clients on the same thread each get every entry once', async () => {
    const threadId = freshId('sse-two');
    const other = createClient({ url: t.graphqlUrl, singleConnection: false, retryAttempts: 0 });
    try {
      const a = threadEntries(client, threadId, 0);
      const b = threadEntries(other, threadId, 0);
      await takeUntil(a, (e) => e.__typename === 'CaughtUp');
      await takeUntil(b, (e) => e.__typename === 'CaughtUp');
      for (let i = 0; i < 3; i++) await t.data(APPEND, { input: { threadId, entries: [{}, {}] } });
      const untilLast = (e: WireEvent) => e.__typename === 'Entry' && e.seq === 5;
      expect(seqs(await takeUntil(a, untilLast))).toEqual(range(0, 6));
      expect(seqs(await takeUntil(b, untilLast))).toEqual(range(0, 6));
      await a.return?.();
      await b.return?.();
    } finally {
      other.dispose();
    }
  });
});
