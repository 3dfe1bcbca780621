import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { caughtUp, range, Recording, wsClient, THREAD_ENTRIES, type WireEvent } from './live-helpers.js';

const WITH_PAYLOAD = /* GraphQL */ `
  subscription($threadId: ID!) {
    threadEntries(threadId: $threadId) { __typename ... on Entry { seq payload } ... on CaughtUp { rev } }
  }
`;

/** A bare graphql-transport-ws client whose TCP socket can be paused (it then stops reading). */
async function rawSubscriber(url: string, query: string, variables: object) {
  const ws = new WebSocket(url, 'graphql-transport-ws');
  const messages: any[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    wake?.();
  });
  const until = async (check: () => boolean) => {
    while (!check()) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error('socket closed');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => messages.some((m) => m.type === 'connection_ack'));
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
  const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return { ws, messages, until, pause: () => socket.pause(), resume: () => socket.resume() };
}

describe('a subscriber that stops reading (graphql-ws, memory storage)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('memory');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps the server-side queue bounded while 10,000 entries are appended, then delivers all of them in order', async () => {
    const threadId = freshId('slow');
    const hub = app.app.live;
    const client = await rawSubscriber(app.graphqlUrl.replace(/^http/, 'ws'), WITH_PAYLOAD, { threadId });
    try {
      const entries = () => client.messages.filter((m) => m.type === 'next' && m.payload.data.threadEntries.__typename === 'Entry');
      await client.until(() => client.messages.some((m) => m.type === 'next'));
      client.pause();
      const pad = 'x'.repeat(2000);
      let highest = 0;
      for (let batch = 0; batch < 20; batch++) {
        await app.app.storage.appendEntries({ threadId, entries: Array.from({ length: 500 }, (_, i) => ({ payload: { pad, i } })) });
        for (const s of hub.stats().threadSubscriptions.filter((s) => s.threadId === threadId)) highest = Math.max(highest, s.buffered);
      }
      const [stats] = hub.stats().threadSubscriptions.filter((s) => s.threadId === threadId);
      expect(highest).toBeLessThanOrEqual(hub.options.queueCapacity);
      expect(stats!.maxBuffered).toBeLessThanOrEqual(hub.options.queueCapacity);
      client.resume();
      await client.until(() => entries().length >= 10_000);
      expect(entries().map((m) => m.payload.data.threadEntries.seq)).toEqual(range(0, 10_000));
      const after = hub.stats().threadSubscriptions.find((s) => s.threadId === threadId)!;
      expect(after.maxBuffered).toBeLessThanOrEqual(hub.options.queueCapacity);
      expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
    } finally {
      client.ws.terminate();
    }
  });
});

describe('shutdown', () => {
  it('closes graphql-ws sockets with 1001 when the app stops', async () => {
    const app = await startTestApp('memory');
    const client = wsClient(app.graphqlUrl);
    try {
      const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
      const recording = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId: freshId('stop') }, 'threadEntries');
      await recording.until(caughtUp);
      await app.close();
      expect(await closed).toBe(1001);
    } finally {
      await client.dispose();
      await app.close();
    }
  });
});
