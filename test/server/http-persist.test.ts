import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, STORAGE_KINDS, type TestApp } from '../support/app.js';

const HIBERNATE = /* GraphQL */ `
  mutation Hibernate($input: HibernateInput!) {
    hibernate(input: $input) {
      __typename
      ... on HibernateSuccess { flushed checkpoint { rev version state thread { id rev } } }
      ... on RevisionConflict { message expectedRev actualRev }
      ... on ThreadRevRegression { message threadId storedRev localRev }
      ... on ThreadHistoryTruncated { message threadId storedRev firstSentSeq }
      ... on ThreadDiverged { message threadId seq }
      ... on InvalidThreadPointer { message threadId pointerRev storedRev }
      ... on ValidationError { message field }
    }
  }
`;

const THAW = /* GraphQL */ `
  mutation Thaw($agentType: String!, $agentId: String!, $ahead: Boolean) {
    thaw(agentType: $agentType, agentId: $agentId, allowJournalAhead: $ahead) {
      __typename
      ... on ThawSuccess {
        checkpoint { rev state thread { id rev } }
        thread { id rev entries(last: 50) { totalCount edges { node { id seq kind payload } } } }
        pendingEntries { id seq kind payload }
      }
      ... on CheckpointNotFound { message agentType agentId }
      ... on MissingThread { message threadId pointerRev }
      ... on ThreadMismatch { message threadId pointerRev storedRev }
      ... on ValidationError { message field }
    }
  }
`;

const entry = (id: string, text = id) => ({ id, kind: 'step', payload: { text } });

describe.each(STORAGE_KINDS)('hibernate and thaw over HTTP on %s storage', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t?.close());

  it('runs the full cycle: hibernate, thaw, more work, hibernate the tail, thaw again', async () => {
    const agentType = 'planner';
    const agentId = freshId('agent');
    const threadId = freshId('thread');

    const first = await t.data(HIBERNATE, {
      input: { agentType, agentId, state: { step: 2 }, thread: { id: threadId, rev: 2, metadata: { m: 1 }, entries: [entry('a'), entry('b')] } },
    });
    expect(first.hibernate).toMatchObject({ __typename: 'HibernateSuccess', flushed: 2, checkpoint: { rev: 1, version: 1, thread: { id: threadId, rev: 2 } } });

    const thawed = await t.data(THAW, { agentType, agentId });
    expect(thawed.thaw.__typename).toBe('ThawSuccess');
    expect(thawed.thaw.checkpoint).toEqual({ rev: 1, state: { step: 2 }, thread: { id: threadId, rev: 2 } });
    expect(thawed.thaw.thread.entries.edges.map((e: any) => e.node.id)).toEqual(['a', 'b']);
    expect(thawed.thaw.pendingEntries).toEqual([]);

    const second = await t.data(HIBERNATE, {
      input: { agentType, agentId, state: { step: 4 }, version: 2, expectedRev: 1, thread: { id: threadId, rev: 4, entries: [entry('b'), entry('c'), entry('d')] } },
    });
    expect(second.hibernate).toMatchObject({ __typename: 'HibernateSuccess', flushed: 2, checkpoint: { rev: 2, version: 2, thread: { rev: 4 } } });

    const again = await t.data(THAW, { agentType, agentId });
    expect(again.thaw.thread.entries.totalCount).toBe(4);
    expect(again.thaw.thread.entries.edges.map((e: any) => e.node.seq)).toEqual([0, 1, 2, 3]);

    const idempotent = await t.data(HIBERNATE, {
      input: { agentType, agentId, state: { step: 4 }, thread: { id: threadId, rev: 4, entries: [entry('d')] } },
    });
    expect(idempotent.hibernate).toMatchObject({ __typename: 'HibernateSuccess', flushed: 0, checkpoint: { rev: 3 } });
  });

  it('recovers a journal ahead of its checkpoint (crash between flush and checkpoint)', async () => {
    const agentType = 'planner';
    const agentId = freshId('agent');
    const threadId = freshId('thread');
    await t.data(HIBERNATE, { input: { agentType, agentId, state: { n: 1 }, thread: { id: threadId, rev: 1, entries: [entry('a')] } } });
    // The flush of the next hibernate landed, its checkpoint write did not:
    await t.data('mutation($i: AppendEntriesInput!) { appendEntries(input: $i) { __typename } }', {
      i: { threadId, expectedRev: 1, entries: [entry('b'), entry('c')] },
    });

    const mismatch = await t.data(THAW, { agentType, agentId });
    expect(mismatch.thaw).toMatchObject({ __typename: 'ThreadMismatch', threadId, pointerRev: 1, storedRev: 3 });
    expect(mismatch.thaw.message).toContain('allowJournalAhead');

    const recovered = await t.data(THAW, { agentType, agentId, ahead: true });
    expect(recovered.thaw.__typename).toBe('ThawSuccess');
    expect(recovered.thaw.checkpoint.thread).toEqual({ id: threadId, rev: 1 });
    expect(recovered.thaw.pendingEntries.map((e: any) => [e.id, e.seq])).toEqual([['b', 1], ['c', 2]]);

    const resumed = await t.data(HIBERNATE, {
      input: { agentType, agentId, state: { n: 3 }, expectedRev: 1, thread: { id: threadId, rev: 3, entries: [entry('b'), entry('c')] } },
    });
    expect(resumed.hibernate).toMatchObject({ __typename: 'HibernateSuccess', flushed: 0, checkpoint: { rev: 2, thread: { rev: 3 } } });
    expect((await t.data(THAW, { agentType, agentId })).thaw.__typename).toBe('ThawSuccess');
  });

  it('returns each hibernate failure as its union member and writes nothing', async () => {
    const agentType = 'planner';
    const agentId = freshId('agent');
    const threadId = freshId('thread');
    await t.data(HIBERNATE, { input: { agentType, agentId, state: { n: 2 }, thread: { id: threadId, rev: 2, entries: [entry('a'), entry('b')] } } });
    const stored = async () =>
      (await t.data('query($id: ID!, $t: String!, $a: String!) { thread(id: $id) { rev } checkpoint(agentType: $t, agentId: $a) { rev } }', { id: threadId, t: agentType, a: agentId }));
    const before = await stored();

    const cases: [object, object | undefined][] = [
      [{ expectedRev: 7, thread: { id: threadId, rev: 3, entries: [entry('c')] } }, { __typename: 'RevisionConflict', expectedRev: 7, actualRev: 1 }],
      [{ thread: { id: threadId, rev: 1, entries: [entry('a')] } }, { __typename: 'ThreadRevRegression', threadId, storedRev: 2, localRev: 1 }],
      [{ thread: { id: threadId, rev: 5, entries: [entry('e')] } }, { __typename: 'ThreadHistoryTruncated', threadId, storedRev: 2, firstSentSeq: 4 }],
      [{ thread: { id: threadId, rev: 3, entries: [entry('X'), entry('c')] } }, { __typename: 'ThreadDiverged', threadId, seq: 1 }],
      [{ state: [1, 2], thread: null }, undefined],
      [{ thread: { id: threadId, rev: 3, entries: [{ id: 'c', kind: 'bad kind' }] } }, { __typename: 'ValidationError', field: 'thread.entries[0].kind' }],
    ];
    for (const [patch, expected] of cases) {
      const { status, body } = await t.gql(HIBERNATE, { input: { agentType, agentId, state: { n: 9 }, ...patch } });
      if (expected) {
        expect(body.data?.hibernate, JSON.stringify(patch)).toMatchObject(expected);
        expect(body.data?.hibernate.message.length).toBeGreaterThan(10);
      } else {
        expect(status).toBe(400);
        expect(body.errors?.[0]?.message).toContain('JSONObject must be a JSON object (got an array)');
      }
    }
    expect(await stored()).toEqual(before);
  });

  it('returns each thaw failure as its union member', async () => {
    const agentType = 'planner';
    const missing = await t.data(THAW, { agentType, agentId: freshId('nobody') });
    expect(missing.thaw).toMatchObject({ __typename: 'CheckpointNotFound', agentType });

    const agentId = freshId('agent');
    const threadId = freshId('thread');
    await t.data(HIBERNATE, { input: { agentType, agentId, state: {}, thread: { id: threadId, rev: 1, entries: [entry('a')] } } });
    await t.data('mutation($id: ID!) { deleteThread(id: $id) { deleted } }', { id: threadId });
    const gone = await t.data(THAW, { agentType, agentId, ahead: true });
    expect(gone.thaw).toMatchObject({ __typename: 'MissingThread', threadId, pointerRev: 1 });

    const invalid = await t.data(THAW, { agentType: '', agentId });
    expect(invalid.thaw).toMatchObject({ __typename: 'ValidationError', field: 'agentType' });

    const bare = freshId('agent');
    await t.data(HIBERNATE, { input: { agentType, agentId: bare, state: { x: 1 } } });
    const noThread = await t.data(THAW, { agentType, agentId: bare });
    expect(noThread.thaw).toMatchObject({ __typename: 'ThawSuccess', thread: null, pendingEntries: [], checkpoint: { thread: null, state: { x: 1 } } });
  });
});

describe('hibernate racing a thread delete', () => {
  let t: TestApp;
  let inner: Storage;
  beforeAll(async () => {
    inner = await openStorage('memory:');
    // Deletes the thread between hibernate's flush and its checkpoint write.
    const racing = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'putCheckpoint') {
          return async (options: Parameters<Storage['putCheckpoint']>[0]) => {
            if (options.thread) await target.deleteThread({ namespace: options.namespace, threadId: options.thread.id });
            return target.putCheckpoint(options);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    t = await startTestApp('memory', {}, { storage: racing });
  });
  afterAll(async () => {
    await t?.close();
    await inner?.close();
  });

  it('is an InvalidThreadPointer, and no checkpoint is written', async () => {
    const agentId = freshId('agent');
    const threadId = freshId('thread');
    const data = await t.data(HIBERNATE, { input: { agentType: 'p', agentId, state: {}, thread: { id: threadId, rev: 1, entries: [entry('a')] } } });
    expect(data.hibernate).toMatchObject({ __typename: 'InvalidThreadPointer', threadId, pointerRev: 1, storedRev: 0 });
    expect((await t.data('query($a: String!) { checkpoint(agentType: "p", agentId: $a) { rev } }', { a: agentId })).checkpoint).toBeNull();
  });
});
