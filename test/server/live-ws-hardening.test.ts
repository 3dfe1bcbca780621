import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebSocketAttachment } from '../../src/server/websocket.js';
import type { LocalChangeFeed } from '../../src/storage/local-change-feed.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { APPEND, caughtUp, CHECKPOINT_EVENTS, hasSeq, Recording, THREAD_ENTRIES, wireSeqs, wsClient, type WireEvent } from './live-helpers.js';

const MAX_OPS = 5;

describe('graphql-ws hardening, leaks and checkpointEvents (memory storage)', () => {
  let app: TestApp;
  const clients: Client[] = [];
  const client = () => {
    const c = wsClient(app.graphqlUrl);
    clients.push(c);
    return c;
  };
  const append = (threadId: string, count: number) =>
    app.data(APPEND, { input: { threadId, entries: Array.from({ length: count }, () => ({})) } });
  const stats = () => app.app.live.stats();
  const listeners = () => (app.app.storage.changes as LocalChangeFeed).listenerCount;

  /** Opens an operation and waits for its first result or its end. */
  const settle = async (socket: Client, query: string, variables: Record<string, unknown> = {}) => {
    const recording = new Recording(socket, query, variables, 'threadEntries');
    await recording.until((r) => r.completed || r.data.length > 0 || r.errors.length > 0);
    return recording;
  };

  beforeAll(async () => {
    app = await startTestApp('memory', {}, { attachments: [createWebSocketAttachment({ maxSubscriptionsPerSocket: MAX_OPS })] });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('invalid, malformed and over-limit operations get operation errors; the socket and its two live subscriptions keep streaming', async () => {
    const threadId = freshId('hard');
    const socket = client();
    let closed = false;
    socket.on('closed', () => (closed = true));
    const a = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId }, 'threadEntries');
    const b = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
    await a.until(caughtUp);
    await b.until(caughtUp);
    await append(threadId, 2);
    await a.until(hasSeq(1));

    const tooManyTokens = `subscription { threadEntries(threadId: "x") { ${'__typename '.repeat(2100)} } }`;
    const tooManyAliases = `subscription { threadEntries(threadId: "x") { ... on CaughtUp { ${range(20)
      .map((i) => `a${i}: rev`)
      .join(' ')} } } }`;
    const bad = [
      { query: 'subscription { nope }', error: /Cannot query field "nope"/ },
      { query: 'subscription { threadEntries(', error: /Syntax Error/ },
      { query: tooManyTokens, error: /token limit/i },
      { query: tooManyAliases, error: /aliases/i },
      { query: THREAD_ENTRIES, variables: { threadId, fromSeq: -1 }, error: /fromSeq/ },
      { query: THREAD_ENTRIES, variables: { threadId: '' }, error: /threadId/ },
    ];
    for (const { query, variables, error } of bad) {
      const failed = await settle(socket, query, variables);
      await failed.until((r) => r.completed);
      expect(failed.data).toEqual([]);
      expect(failed.errors.map((e) => (e as Error).message).join('\n')).toMatch(error);
    }
    const negative = await settle(socket, THREAD_ENTRIES, { threadId, fromSeq: -1 });
    await negative.until((r) => r.completed);
    expect(negative.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field: 'fromSeq' } }]);

    await append(threadId, 3);
    await a.until(hasSeq(4));
    await b.until(hasSeq(4));
    expect(wireSeqs(a.data)).toEqual([0, 1, 2, 3, 4]);
    expect(wireSeqs(b.data)).toEqual([0, 1, 2, 3, 4]);
    expect(a.completed || b.completed || closed).toBe(false);
    a.dispose();
    b.dispose();
  });

  it(`caps operations per socket at ${MAX_OPS} with an operation error; the others keep streaming`, async () => {
    const threadId = freshId('cap');
    const socket = client();
    const live = range(MAX_OPS).map(() => new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId }, 'threadEntries'));
    for (const r of live) await r.until(caughtUp);
    const extra = await settle(socket, THREAD_ENTRIES, { threadId });
    await extra.until((r) => r.completed);
    expect(extra.errors).toMatchObject([{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }]);
    live[0]!.dispose();
    const replacement = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId }, 'threadEntries');
    await replacement.until(caughtUp);
    await append(threadId, 1);
    for (const r of [...live.slice(1), replacement]) {
      await r.until(hasSeq(0));
      r.dispose();
    }
  });

  it('1,000 subscribe/unsubscribe cycles over one socket leave no listener and an empty registry', async () => {
    const threadId = freshId('cycles');
    await append(threadId, 3);
    const socket = client();
    for (let i = 0; i < 1000; i++) {
      const r = new Recording<WireEvent>(socket, THREAD_ENTRIES, { threadId: i % 2 ? threadId : freshId('c'), fromSeq: i % 3 ? 0 : null }, 'threadEntries');
      await r.until(caughtUp);
      r.dispose();
    }
    // The server handles each `complete` asynchronously; wait for the registry to drain.
    await vi.waitFor(() => expect(stats().threadSubscriptions).toEqual([]), { timeout: 5000, interval: 10 });
    expect(stats()).toMatchObject({ threadWatchers: 0, checkpointWatchers: 0 });
    expect(listeners()).toBe(0);
  });

  it('checkpointEvents: saved on put and hibernate, deleted on delete, with and without the agentType filter', async () => {
    const [mine, other] = [freshId('type'), freshId('other')];
    const socket = client();
    const all = new Recording<any>(socket, CHECKPOINT_EVENTS, {}, 'checkpointEvents');
    const filtered = new Recording<any>(socket, CHECKPOINT_EVENTS, { agentType: mine }, 'checkpointEvents');
    await vi.waitFor(() => expect(stats().checkpointSubscriptions).toBe(2), { timeout: 5000, interval: 10 });
    const step = async (query: string, variables: Record<string, unknown>, count: number) => {
      await app.data(query, variables);
      await all.until((r) => r.data.length >= count);
    };
    await step(`mutation($i: PutCheckpointInput!) { putCheckpoint(input: $i) { __typename } }`, { i: { agentType: other, agentId: 'o', state: { n: 0 } } }, 1);
    await step(`mutation($i: PutCheckpointInput!) { putCheckpoint(input: $i) { __typename } }`, { i: { agentType: mine, agentId: 'a', state: { n: 1 } } }, 2);
    const threadId = freshId('hib');
    await step(
      `mutation($i: HibernateInput!) { hibernate(input: $i) { __typename } }`,
      { i: { agentType: mine, agentId: 'a', state: { n: 2 }, thread: { id: threadId, rev: 2, entries: [{}, {}] } } },
      3,
    );
    await step(`mutation($t: String!, $a: String!) { deleteCheckpoint(agentType: $t, agentId: $a) { deleted } }`, { t: mine, a: 'a' }, 4);
    await step(`mutation($t: String!, $a: String!) { deleteCheckpoint(agentType: $t, agentId: $a) { deleted } }`, { t: other, a: 'o' }, 5);
    const saved = (agentType: string, agentId: string, rev: number, state: object, thread: object | null) => ({
      __typename: 'CheckpointSaved',
      checkpoint: { agentType, agentId, rev, state, thread },
    });
    const deleted = (agentType: string, agentId: string) => ({ __typename: 'CheckpointDeleted', agentType, agentId });
    expect(all.data).toEqual([
      saved(other, 'o', 1, { n: 0 }, null),
      saved(mine, 'a', 1, { n: 1 }, null),
      saved(mine, 'a', 2, { n: 2 }, { id: threadId, rev: 2 }),
      deleted(mine, 'a'),
      deleted(other, 'o'),
    ]);
    await filtered.until((r) => r.data.length >= 3);
    expect(filtered.data).toEqual(all.data.slice(1, 4));
    expect(all.errors).toEqual([]);
    all.dispose();
    filtered.dispose();
    await vi.waitFor(() => expect(stats().checkpointWatchers).toBe(0), { timeout: 5000, interval: 10 });
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
