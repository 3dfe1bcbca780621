import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, STORAGE_KINDS, type TestApp } from '../support/app.js';

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendEntriesInput!) {
    appendEntries(input: $input) {
      __typename
      ... on AppendEntriesSuccess { thread { rev firstSeq retention { maxEntries maxAgeSeconds } } entries { seq } }
      ... on Error { message }
      ... on ValidationError { field }
    }
  }
`;

const TRIM = /* GraphQL */ `
  mutation Trim($input: TrimThreadInput!) {
    trimThread(input: $input) {
      __typename
      ... on TrimThreadSuccess { dropped thread { id rev firstSeq } }
      ... on RevisionConflict { expectedRev actualRev }
      ... on TrimBeyondCheckpoint { message threadId beforeSeq agentType agentId pointerRev }
      ... on ValidationError { message field }
    }
  }
`;

const SET_RETENTION = /* GraphQL */ `
  mutation Set($input: SetThreadRetentionInput!) {
    setThreadRetention(input: $input) {
      __typename
      ... on SetThreadRetentionSuccess { thread { rev firstSeq retention { maxEntries maxAgeSeconds } } }
      ... on ValidationError { message field }
    }
  }
`;

const THREAD = /* GraphQL */ `
  query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    thread(id: $id) {
      rev
      firstSeq
      retention { maxEntries maxAgeSeconds }
      entries(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges { cursor node { seq id } }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }
  }
`;

/** Cursor of the entry at `seq` (the format of src/schema/cursors.ts), to page from a trimmed position. */
const cursorOf = (seq: number) => Buffer.from(JSON.stringify([1, 'e', seq])).toString('base64url');

const entries = (n: number, prefix = 'e') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

describe.each(STORAGE_KINDS)('retention over GraphQL on %s storage', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t?.close());

  const append = async (threadId: string, n: number, extra: Record<string, unknown> = {}) =>
    (await t.data(APPEND, { input: { threadId, entries: entries(n), ...extra } })).appendEntries;
  const trim = async (input: Record<string, unknown>) => (await t.data(TRIM, { input })).trimThread;
  const thread = async (id: string, args: Record<string, unknown> = {}) => (await t.data(THREAD, { id, ...args })).thread;

  it('trimThread drops a prefix: seqs and rev stay, pages start at firstSeq, totalCount counts what is stored; idempotent', async () => {
    const id = freshId('trim');
    await append(id, 10);
    expect(await trim({ threadId: id, beforeSeq: 4 })).toEqual({ __typename: 'TrimThreadSuccess', dropped: 4, thread: { id, rev: 10, firstSeq: 4 } });
    expect(await trim({ threadId: id, beforeSeq: 4 })).toMatchObject({ __typename: 'TrimThreadSuccess', dropped: 0, thread: { firstSeq: 4 } });
    expect(await trim({ threadId: id, beforeSeq: 2, expectedRev: 10 })).toMatchObject({ dropped: 0, thread: { firstSeq: 4 } });

    const all = await thread(id);
    expect(all).toMatchObject({ rev: 10, firstSeq: 4, retention: null });
    expect(all.entries.totalCount).toBe(6);
    expect(all.entries.edges.map((e: { node: { seq: number } }) => e.node.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(all.entries.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
    // A cursor from before the trim pages from firstSeq; a backward page ending below it is empty.
    const fromOld = await thread(id, { first: 2, after: cursorOf(1) });
    expect(fromOld.entries.edges.map((e: { node: { seq: number } }) => e.node.seq)).toEqual([4, 5]);
    expect(fromOld.entries.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
    const behind = await thread(id, { last: 3, before: cursorOf(3) });
    expect(behind.entries.edges).toEqual([]);
    const tail = await thread(id, { last: 3 });
    expect(tail.entries.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });

    // Appends continue at rev.
    expect((await append(id, 1)).entries).toEqual([{ seq: 10 }]);
  });

  it('trimThread refusals are typed and change nothing', async () => {
    const id = freshId('refuse');
    await append(id, 6);
    expect(await trim({ threadId: id, beforeSeq: 2, expectedRev: 5 })).toEqual({ __typename: 'RevisionConflict', expectedRev: 5, actualRev: 6 });
    expect(await trim({ threadId: id, beforeSeq: 7 })).toMatchObject({ __typename: 'ValidationError', field: 'beforeSeq' });
    expect(await trim({ threadId: id, beforeSeq: -1 })).toMatchObject({ __typename: 'ValidationError', field: 'beforeSeq' });
    expect(await trim({ threadId: freshId('missing'), beforeSeq: 0 })).toMatchObject({ __typename: 'ValidationError', field: 'threadId' });
    const agentId = freshId('agent');
    await t.data(`mutation { putCheckpoint(input: { agentType: "planner", agentId: "${agentId}", state: {}, thread: { id: "${id}", rev: 3 } }) { __typename } }`);
    expect(await trim({ threadId: id, beforeSeq: 4 })).toEqual({
      __typename: 'TrimBeyondCheckpoint',
      message: expect.stringContaining('points at rev 3'),
      threadId: id,
      beforeSeq: 4,
      agentType: 'planner',
      agentId,
      pointerRev: 3,
    });
    expect(await thread(id)).toMatchObject({ rev: 6, firstSeq: 0, entries: { totalCount: 6 } });
    // Up to the pointer is allowed.
    expect(await trim({ threadId: id, beforeSeq: 3 })).toMatchObject({ __typename: 'TrimThreadSuccess', dropped: 3 });
  });

  it('a policy given on creation is kept and maxEntries is applied on every append; later appends do not change it', async () => {
    const id = freshId('policy');
    const created = await append(id, 3, { retention: { maxEntries: 5 } });
    expect(created.thread).toEqual({ rev: 3, firstSeq: 0, retention: { maxEntries: 5, maxAgeSeconds: null } });
    const after = await append(id, 4, { retention: { maxEntries: 1 } });
    expect(after.thread).toEqual({ rev: 7, firstSeq: 2, retention: { maxEntries: 5, maxAgeSeconds: null } });
    const bad = await append(freshId('bad'), 1, { retention: { maxEntries: 0 } });
    expect(bad).toMatchObject({ __typename: 'ValidationError', field: 'retention.maxEntries' });
  });

  it('setThreadRetention sets, applies at once, and clears a policy; refusals are typed', async () => {
    const id = freshId('set');
    await append(id, 8);
    const set = (await t.data(SET_RETENTION, { input: { threadId: id, retention: { maxEntries: 3, maxAgeSeconds: 86400 } } })).setThreadRetention;
    expect(set).toEqual({ __typename: 'SetThreadRetentionSuccess', thread: { rev: 8, firstSeq: 5, retention: { maxEntries: 3, maxAgeSeconds: 86400 } } });
    const cleared = (await t.data(SET_RETENTION, { input: { threadId: id, retention: null } })).setThreadRetention;
    expect(cleared.thread).toEqual({ rev: 8, firstSeq: 5, retention: null });
    const bad = (await t.data(SET_RETENTION, { input: { threadId: id, retention: { maxAgeSeconds: 0 } } })).setThreadRetention;
    expect(bad).toMatchObject({ __typename: 'ValidationError', field: 'retention.maxAgeSeconds' });
    const missing = (await t.data(SET_RETENTION, { input: { threadId: freshId('none'), retention: { maxEntries: 1 } } })).setThreadRetention;
    expect(missing).toMatchObject({ __typename: 'ValidationError', field: 'threadId' });
    expect(await thread(id)).toMatchObject({ firstSeq: 5, retention: null });
  });
});

describe('the server default policy (limits.defaultRetention)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { limits: { defaultRetention: { maxEntries: 2, maxAgeSeconds: null } } });
  });
  afterAll(() => t?.close());

  it('is given to threads created without a policy; {} creates one without', async () => {
    const byDefault = (await t.data(APPEND, { input: { threadId: freshId('d'), entries: entries(5) } })).appendEntries;
    expect(byDefault.thread).toEqual({ rev: 5, firstSeq: 3, retention: { maxEntries: 2, maxAgeSeconds: null } });
    const none = (await t.data(APPEND, { input: { threadId: freshId('n'), entries: entries(5), retention: {} } })).appendEntries;
    expect(none.thread).toEqual({ rev: 5, firstSeq: 0, retention: null });
  });
});
