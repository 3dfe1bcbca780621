import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryoClientError, type CryoClient } from '../../src/client/index.js';
import { clientFor, freshId, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let client: CryoClient;

beforeAll(async () => {
  server = await startServer();
  client = clientFor(server);
});

afterAll(async () => {
  await client?.close();
  await server?.app.stop();
});

describe('typed client: journals', () => {
  it('appends, reads back, and returns a RevisionConflict as a typed result', async () => {
    const threadId = freshId('thread');
    const first = await client.appendEntries({
      threadId,
      expectedRev: 0,
      metadata: { title: 'client test' },
      entries: [{ id: `${threadId}-a`, kind: 'user', payload: { text: 'hello' } }, { kind: 'assistant' }],
    });
    if (first.__typename !== 'AppendEntriesSuccess') throw new Error(`unexpected ${first.__typename}`);
    expect(first.thread).toMatchObject({ id: threadId, rev: 2, metadata: { title: 'client test' } });
    expect(first.entries.map((e) => [e.seq, e.kind, e.payload])).toEqual([
      [0, 'user', { text: 'hello' }],
      [1, 'assistant', {}],
    ]);

    const retry = await client.appendEntries({ threadId, expectedRev: 0, entries: [{ id: `${threadId}-a`, kind: 'user', payload: { text: 'hello' } }] });
    expect(retry.__typename).toBe('AppendEntriesSuccess');

    const conflict = await client.appendEntries({ threadId, expectedRev: 1, entries: [{ kind: 'late' }] });
    expect(conflict).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 1, actualRev: 2 });

    const thread = await client.thread({ id: threadId, last: 1 });
    expect(thread?.rev).toBe(2);
    expect(thread?.entries.totalCount).toBe(2);
    expect(thread?.entries.edges.map((e) => e.node.seq)).toEqual([1]);

    const listed = await client.threads({ first: 500 });
    expect(listed.edges.some((edge) => edge.node.id === threadId)).toBe(true);

    expect(await client.deleteThread({ id: threadId })).toEqual({ deleted: true });
    expect(await client.deleteThread({ id: threadId })).toEqual({ deleted: false });
    expect(await client.thread({ id: threadId })).toBeNull();
  });
});

describe('typed client: checkpoints, hibernate and thaw', () => {
  it('hibernates, thaws, reports a journal that ran ahead, and deletes', async () => {
    const agentType = freshId('planner');
    const agentId = freshId('agent');
    const threadId = freshId('thread');

    const slept = await client.hibernate({
      agentType,
      agentId,
      state: { step: 1 },
      thread: { id: threadId, rev: 2, entries: [{ id: `${threadId}-0` }, { id: `${threadId}-1`, kind: 'tool' }] },
    });
    if (slept.__typename !== 'HibernateSuccess') throw new Error(`unexpected ${slept.__typename}`);
    expect(slept.flushed).toBe(2);
    expect(slept.checkpoint.thread).toMatchObject({ id: threadId, rev: 2, thread: { id: threadId, rev: 2 } });

    const thawed = await client.thaw({ agentType, agentId });
    if (thawed.__typename !== 'ThawSuccess') throw new Error(`unexpected ${thawed.__typename}`);
    expect(thawed.checkpoint.state).toEqual({ step: 1 });
    expect(thawed.thread?.entries.edges.map((e) => e.node.id)).toEqual([`${threadId}-0`, `${threadId}-1`]);

    await client.appendEntries({ threadId, entries: [{ kind: 'after-checkpoint' }] });
    expect(await client.thaw({ agentType, agentId })).toMatchObject({ __typename: 'ThreadMismatch', pointerRev: 2, storedRev: 3 });
    const ahead = await client.thaw({ agentType, agentId, allowJournalAhead: true });
    if (ahead.__typename !== 'ThawSuccess') throw new Error(`unexpected ${ahead.__typename}`);
    expect(ahead.pendingEntries.map((e) => [e.seq, e.kind])).toEqual([[2, 'after-checkpoint']]);

    const stale = await client.putCheckpoint({ agentType, agentId, state: {}, expectedRev: 5 });
    expect(stale).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 5, actualRev: 1 });
    const badPointer = await client.putCheckpoint({ agentType, agentId, state: {}, thread: { id: threadId, rev: 9 } });
    expect(badPointer).toMatchObject({ __typename: 'InvalidThreadPointer', threadId, pointerRev: 9, storedRev: 3 });

    expect((await client.checkpoint({ agentType, agentId }))?.rev).toBe(1);
    const ofType = await client.checkpoints({ agentType });
    expect(ofType.edges.map((e) => e.node.agentId)).toEqual([agentId]);

    await client.deleteThread({ id: threadId });
    expect(await client.thaw({ agentType, agentId })).toMatchObject({ __typename: 'MissingThread', threadId, pointerRev: 2 });
    expect((await client.checkpoint({ agentType, agentId }))?.thread).toMatchObject({ id: threadId, rev: 2, thread: null });

    expect(await client.deleteCheckpoint({ agentType, agentId })).toEqual({ deleted: true });
    expect(await client.thaw({ agentType, agentId })).toMatchObject({ __typename: 'CheckpointNotFound', agentType, agentId });
  });
});

describe('typed client: transport errors', () => {
  it('throws CryoClientError with the server code for a bad request', async () => {
    const error = await client.threads({ first: 100_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CryoClientError);
    expect((error as CryoClientError).code).toBe('BAD_USER_INPUT');
  });

  it('throws NETWORK_ERROR when nothing listens, and sends the configured headers', async () => {
    const gone = await startServer();
    await gone.app.stop();
    const offline = clientFor(gone);
    const error = await offline.serverInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CryoClientError);
    expect((error as CryoClientError).code).toBe('NETWORK_ERROR');
    await offline.close();

    const sent: Headers[] = [];
    const spying = clientFor(server, {
      headers: () => ({ 'x-cryo-test': 'yes' }),
      fetch: (input, init) => {
        sent.push(new Headers(init?.headers));
        return fetch(input, init);
      },
    });
    expect((await spying.serverInfo()).storage).toBe('memory');
    expect(sent[0]?.get('x-cryo-test')).toBe('yes');
    await spying.close();
  });
});
