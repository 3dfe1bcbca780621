import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import type { Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { ReadEntriesOptions, Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { range } from '../live/helpers.js';
import { APPEND, THREAD_ENTRIES, wsClient, type WireEvent } from './live-helpers.js';

/**
 * JournalTrimmed end to end, over graphql-ws and over SSE, on a real server (memory storage;
 * trims go straight to the storage until the trimThread mutation lands). A held read lets a
 * test trim while a subscription is between two pages, deterministically.
 */

/** Holds a readEntries of `threadId` until released; `held` resolves once it is waiting. */
class ReadGate {
  #threadId: string | null = null;
  #skip = 0;
  #release: (() => void) | null = null;
  #onHeld: (() => void) | null = null;
  held: Promise<void> = Promise.resolve();

  /** Arms the gate: the reads of `threadId` pass `skip` times, the next one is held. */
  arm(threadId: string, skip: number): void {
    this.#threadId = threadId;
    this.#skip = skip;
    this.held = new Promise((resolve) => (this.#onHeld = resolve));
  }

  async pass(options: ReadEntriesOptions): Promise<void> {
    if (options.threadId !== this.#threadId || this.#skip-- > 0) return;
    this.#threadId = null;
    const released = new Promise<void>((resolve) => (this.#release = resolve));
    this.#onHeld?.();
    await released;
  }

  release(): void {
    this.#release?.();
  }
}

function gatedStorage(gate: ReadGate): Storage {
  const storage = createMemoryStorage();
  const readEntries = storage.readEntries.bind(storage);
  return Object.assign(storage, {
    readEntries: async (options: ReadEntriesOptions) => {
      await gate.pass(options);
      return readEntries(options);
    },
  });
}

type Subscribe = (threadId: string, fromSeq: number) => AsyncIterableIterator<WireEvent>;

/** Pulls events until `until` matches one (included). */
async function takeUntil(events: AsyncIterator<WireEvent>, until: (e: WireEvent) => boolean): Promise<WireEvent[]> {
  const out: WireEvent[] = [];
  for (;;) {
    const { value, done } = await events.next();
    if (done) throw new Error(`stream ended after ${JSON.stringify(out.slice(-3))}`);
    out.push(value);
    if (until(value)) return out;
  }
}

const seqs = (events: WireEvent[]) => events.flatMap((e) => (e.__typename === 'Entry' ? [e.seq] : []));
const isEntry = (seq: number) => (e: WireEvent) => e.__typename === 'Entry' && e.seq === seq;

/** Every result of one subscription through graphql-ws, as an iterator (ends on error or complete). */
function wsSubscribe(client: WsClient): Subscribe {
  return (threadId, fromSeq) => {
    const results = client.iterate<{ threadEntries: WireEvent }>({ query: THREAD_ENTRIES, variables: { threadId, fromSeq } });
    return unwrap(results);
  };
}

function sseSubscribe(client: SseClient): Subscribe {
  return (threadId, fromSeq) => unwrap(client.iterate<{ threadEntries: WireEvent }>({ query: THREAD_ENTRIES, variables: { threadId, fromSeq } }));
}

async function* unwrap(results: AsyncIterableIterator<{ data?: { threadEntries: WireEvent } | null; errors?: unknown }>): AsyncIterableIterator<WireEvent> {
  try {
    for await (const result of results) {
      if (result.errors) throw new Error(`subscription error: ${JSON.stringify(result.errors)}`);
      yield result.data!.threadEntries;
    }
  } finally {
    await results.return?.();
  }
}

describe('JournalTrimmed on a real server (memory storage)', () => {
  const gate = new ReadGate();
  let t: TestApp;
  let ws: WsClient;
  let sse: SseClient;
  beforeAll(async () => {
    t = await startTestApp('memory', { live: { pageSize: 10 } }, { storage: gatedStorage(gate) });
    ws = wsClient(t.graphqlUrl);
    sse = createSseClient({ url: t.graphqlUrl, singleConnection: false, retryAttempts: 0 });
  });
  afterAll(async () => {
    await ws?.dispose();
    sse?.dispose();
    await t?.close();
  });

  const append = async (threadId: string, count: number) => {
    const data = await t.data(APPEND, { input: { threadId, entries: Array.from({ length: count }, () => ({ kind: 'test' })) } });
    expect(data.appendEntries.__typename).toBe('AppendEntriesSuccess');
  };

  for (const [transport, subscribe] of [
    ['graphql-ws', () => wsSubscribe(ws)],
    ['SSE', () => sseSubscribe(sse)],
  ] as const) {
    describe(transport, () => {
      it('a replay from below firstSeq gets JournalTrimmed first, then firstSeq.. in order, CaughtUp, then live entries', async () => {
        const threadId = freshId(`trim-${transport}`);
        await append(threadId, 30);
        await t.app.storage.trimThread({ threadId, beforeSeq: 17 });
        const events = subscribe()(threadId, 2);
        try {
          const replay = await takeUntil(events, (e) => e.__typename === 'CaughtUp');
          expect(replay[0]).toEqual({ __typename: 'JournalTrimmed', threadId, firstSeq: 17 });
          expect(replay.filter((e) => e.__typename === 'JournalTrimmed')).toHaveLength(1);
          expect(seqs(replay)).toEqual(range(17, 30));
          expect(replay.at(-1)).toEqual({ __typename: 'CaughtUp', threadId, rev: 30 });
          await append(threadId, 2);
          expect(seqs(await takeUntil(events, isEntry(31)))).toEqual([30, 31]);
        } finally {
          await events.return?.();
        }
      });

      it('a subscription overtaken by a trim between two pages gets JournalTrimmed once and continues from firstSeq, without duplicates', async () => {
        const threadId = freshId(`overtaken-${transport}`);
        await append(threadId, 100);
        gate.arm(threadId, 1);
        const events = subscribe()(threadId, 0);
        try {
          // The subscription reads page 0..9, then its read of 10.. is held while the journal is trimmed.
          await gate.held;
          const firstPage = await takeUntil(events, isEntry(9));
          await t.app.storage.trimThread({ threadId, beforeSeq: 60 });
          gate.release();
          const rest = await takeUntil(events, (e) => e.__typename === 'CaughtUp');
          const all = [...firstPage, ...rest];
          expect(all.filter((e) => e.__typename === 'JournalTrimmed')).toEqual([{ __typename: 'JournalTrimmed', threadId, firstSeq: 60 }]);
          const at = all.findIndex((e) => e.__typename === 'JournalTrimmed');
          expect(seqs(all.slice(0, at))).toEqual(range(0, 10));
          expect(seqs(all.slice(at))).toEqual(range(60, 100));
          expect(all.at(-1)).toEqual({ __typename: 'CaughtUp', threadId, rev: 100 });
        } finally {
          await events.return?.();
        }
      });
    });
  }
});
