import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, STORAGE_KINDS, type TestApp } from '../support/app.js';
import {
  APPEND,
  caughtUp,
  hasSeq,
  prng,
  range,
  Recording,
  THREAD_ENTRIES,
  wireSeqs,
  wsClient,
  type WireEvent,
} from './live-helpers.js';

for (const kind of STORAGE_KINDS) {
  describe(`threadEntries over graphql-ws (${kind} storage)`, () => {
    let app: TestApp;
    const clients: Client[] = [];
    const client = () => {
      const c = wsClient(app.graphqlUrl);
      clients.push(c);
      return c;
    };
    const append = async (threadId: string, count: number) => {
      const entries = Array.from({ length: count }, () => ({ kind: 'test' }));
      const data = await app.data(APPEND, { input: { threadId, entries } });
      expect(data.appendEntries.__typename).toBe('AppendEntriesSuccess');
      return data.appendEntries.thread.rev as number;
    };

    beforeAll(async () => {
      app = await startTestApp(kind);
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await app?.close();
    });

    it('4 writers append 2,000 entries while 20 subscribers join at random seqs and moments: each gets fromSeq..end once, in order', async () => {
      const threadId = freshId('race');
      const random = prng(kind === 'memory' ? 7 : 11);
      const total = 2000;
      const sockets = [client(), client(), client(), client()];
      const joinAt = Array.from({ length: 20 }, () => Math.floor(random() * 250)).sort((a, b) => a - b);
      const subscribers: Array<{ fromSeq: number; recording: Recording<WireEvent> }> = [];
      let acked = 0;
      let head = 0;
      let written = 0;
      const writer = async () => {
        while (written < total) {
          const count = Math.min(total - written, 1 + Math.floor(random() * 4));
          written += count;
          head = Math.max(head, await append(threadId, count));
          acked++;
          while (joinAt.length && joinAt[0]! <= acked) {
            joinAt.shift();
            const fromSeq = Math.floor(random() * (head + 3));
            const socket = sockets[subscribers.length % sockets.length]!;
            subscribers.push({ fromSeq, recording: new Recording(socket, THREAD_ENTRIES, { threadId, fromSeq }, 'threadEntries') });
          }
        }
      };
      await Promise.all([writer(), writer(), writer(), writer()]);
      expect(subscribers).toHaveLength(20);
      for (const { fromSeq, recording } of subscribers) {
        await recording.until((r) => caughtUp(r) && hasSeq(total - 1)(r));
        expect(recording.errors).toEqual([]);
        expect(wireSeqs(recording.data)).toEqual(range(fromSeq, total));
        const markers = recording.data.filter((e) => e.__typename === 'CaughtUp');
        expect(markers).toHaveLength(1);
        const rev = (markers[0] as { rev: number }).rev;
        const at = recording.data.indexOf(markers[0]!);
        expect(wireSeqs(recording.data.slice(0, at)).every((s) => s < rev)).toBe(true);
        expect(wireSeqs(recording.data.slice(at)).every((s) => s >= rev)).toBe(true);
        recording.dispose();
      }
    });

    it('a subscriber cut off mid-stream resubscribes from lastSeen + 1 with no gap and no duplicate', async () => {
      const threadId = freshId('resume');
      await append(threadId, 50);
      const first = wsClient(app.graphqlUrl);
      const before = new Recording<WireEvent>(first, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
      const writing = (async () => {
        for (let i = 0; i < 60; i++) await append(threadId, 5);
      })();
      await before.until(hasSeq(120));
      first.terminate();
      const seen = wireSeqs(before.data);
      const lastSeen = seen.at(-1)!;
      const second = client();
      const after = new Recording<WireEvent>(second, THREAD_ENTRIES, { threadId, fromSeq: lastSeen + 1 }, 'threadEntries');
      await writing;
      await after.until(hasSeq(349));
      expect([...seen, ...wireSeqs(after.data)]).toEqual(range(0, 350));
      after.dispose();
    });

    it('ThreadDeleted then completion; a subscription to a thread that does not exist yet streams once it is created', async () => {
      const threadId = freshId('later');
      const socket = client();
      const fromStart = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
      const onlyNew = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId }, 'threadEntries');
      await fromStart.until(caughtUp);
      await onlyNew.until(caughtUp);
      expect(fromStart.data).toEqual([{ __typename: 'CaughtUp', threadId, rev: 0 }]);
      await append(threadId, 3);
      await fromStart.until(hasSeq(2));
      await onlyNew.until(hasSeq(2));
      const deleted = await app.data(`mutation($id: ID!) { deleteThread(id: $id) { deleted } }`, { id: threadId });
      expect(deleted.deleteThread.deleted).toBe(true);
      for (const recording of [fromStart, onlyNew]) {
        await recording.until((r) => r.completed);
        expect(recording.errors).toEqual([]);
        expect(recording.data.at(-1)).toEqual({ __typename: 'ThreadDeleted', threadId });
        expect(wireSeqs(recording.data)).toEqual([0, 1, 2]);
      }
    });
  });
}
