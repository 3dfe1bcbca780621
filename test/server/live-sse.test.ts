import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { APPEND, THREAD_ENTRIES, type WireEvent } from './live-helpers.js';

/** Reads Server-Sent Events from a fetch response, one `{ event, data }` per message. */
async function* sseMessages(response: Response): AsyncGenerator<{ event: string; data: string }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n').filter((l) => !l.startsWith(':'));
      if (lines.length === 0) continue;
      const field = (name: string) =>
        lines
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).replace(/^ /, ''))
          .join('\n');
      yield { event: field('event') || 'message', data: field('data') };
    }
  }
}

describe('threadEntries over Server-Sent Events (memory storage)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('memory');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('replays, sends CaughtUp, streams live entries, then ThreadDeleted and completes', async () => {
    const threadId = freshId('sse');
    await app.data(APPEND, { input: { threadId, entries: [{}, {}] } });
    const abort = new AbortController();
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: THREAD_ENTRIES, variables: { threadId, fromSeq: 0 } }),
      signal: abort.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const received: WireEvent[] = [];
      const events = sseMessages(response);
      const nextEvent = async (): Promise<WireEvent> => {
        for (;;) {
          const { value, done } = await events.next();
          if (done) throw new Error('stream ended');
          if (value.event !== 'next') continue;
          const event = JSON.parse(value.data).data.threadEntries as WireEvent;
          received.push(event);
          return event;
        }
      };
      for (let i = 0; i < 3; i++) await nextEvent();
      expect(received).toMatchObject([
        { __typename: 'Entry', seq: 0 },
        { __typename: 'Entry', seq: 1 },
        { __typename: 'CaughtUp', threadId, rev: 2 },
      ]);
      expect(app.app.live.stats().threadSubscriptions).toHaveLength(1);
      await app.data(APPEND, { input: { threadId, entries: [{ kind: 'live' }] } });
      expect(await nextEvent()).toMatchObject({ __typename: 'Entry', seq: 2 });
      await app.data(`mutation($id: ID!) { deleteThread(id: $id) { deleted } }`, { id: threadId });
      expect(await nextEvent()).toEqual({ __typename: 'ThreadDeleted', threadId });
      const rest: string[] = [];
      for await (const message of events) rest.push(message.event);
      expect(rest).toEqual(['complete']);
    } finally {
      abort.abort();
    }
    await vi.waitFor(() => expect(app.app.live.stats().threadSubscriptions).toEqual([]), { timeout: 5000, interval: 10 });
  });

  it('a client that goes away releases its subscription', async () => {
    const threadId = freshId('sse-gone');
    const abort = new AbortController();
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: THREAD_ENTRIES, variables: { threadId } }),
      signal: abort.signal,
    });
    const first = await sseMessages(response).next();
    expect(JSON.parse(first.value!.data).data.threadEntries).toEqual({ __typename: 'CaughtUp', threadId, rev: 0 });
    abort.abort();
    await vi.waitFor(() => expect(app.app.live.stats().threadWatchers).toBe(0), { timeout: 5000, interval: 10 });
  });
});
