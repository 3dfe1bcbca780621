import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, STORAGE_KINDS, type TestApp } from '../support/app.js';

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendEntriesInput!) {
    appendEntries(input: $input) {
      __typename
      ... on AppendEntriesSuccess {
        replayed
        thread { id rev metadata createdAt updatedAt }
        entries { id threadId seq at kind payload refs }
      }
      ... on RevisionConflict { message expectedRev actualRev }
      ... on ValidationError { message field }
    }
  }
`;

const PUT = /* GraphQL */ `
  mutation Put($input: PutCheckpointInput!) {
    putCheckpoint(input: $input) {
      __typename
      ... on PutCheckpointSuccess { checkpoint { agentType agentId rev version state thread { id rev thread { id rev } } createdAt updatedAt } }
      ... on RevisionConflict { message expectedRev actualRev }
      ... on InvalidThreadPointer { message threadId pointerRev storedRev }
      ... on ValidationError { message field }
    }
  }
`;

const ENTRIES = /* GraphQL */ `
  query Entries($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    thread(id: $id) {
      id
      rev
      entries(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges { cursor node { seq id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`;

describe.each(STORAGE_KINDS)('GraphQL over HTTP on %s storage', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t?.close());

  it('serverInfo names the storage kind and the version', async () => {
    const data = await t.data('{ serverInfo { version storage } }');
    expect(data.serverInfo).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), storage: kind });
  });

  it('appendEntries creates a thread, assigns contiguous seqs and fills in defaults', async () => {
    const threadId = freshId('thread');
    const at = '2026-01-02T03:04:05.678+01:00';
    const data = await t.data(APPEND, {
      input: {
        threadId,
        metadata: { title: 'first' },
        entries: [{ id: 'e-0', kind: 'user', payload: { text: 'hi' }, refs: { r: 1 }, at }, {}],
      },
    });
    const result = data.appendEntries;
    expect(result.__typename).toBe('AppendEntriesSuccess');
    expect(result.replayed).toBe(false);
    expect(result.thread).toMatchObject({ id: threadId, rev: 2, metadata: { title: 'first' } });
    expect(result.thread.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(result.entries[0]).toEqual({
      id: 'e-0', threadId, seq: 0, at: '2026-01-02T02:04:05.678Z', kind: 'user', payload: { text: 'hi' }, refs: { r: 1 },
    });
    expect(result.entries[1]).toMatchObject({ threadId, seq: 1, kind: 'note', payload: {}, refs: {} });
    expect(result.entries[1].id).toMatch(/^[0-9a-f-]{36}$/);

    const again = await t.data(APPEND, { input: { threadId, metadata: { title: 'ignored' }, entries: [{ kind: 'x' }] } });
    expect(again.appendEntries.thread).toMatchObject({ rev: 3, metadata: { title: 'first' } });
    expect(again.appendEntries.entries[0].seq).toBe(2);
  });

  it('appendEntries with a stale expectedRev is a RevisionConflict and writes nothing', async () => {
    const threadId = freshId('thread');
    await t.data(APPEND, { input: { threadId, expectedRev: 0, entries: [{ id: 'a' }] } });
    const data = await t.data(APPEND, { input: { threadId, expectedRev: 0, entries: [{ id: 'b' }] } });
    expect(data.appendEntries).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 0, actualRev: 1 });
    expect(data.appendEntries.message).toContain('expected rev 0');
    const read = await t.data(ENTRIES, { id: threadId });
    expect(read.thread.rev).toBe(1);
    expect(read.thread.entries.edges.map((e: any) => e.node.id)).toEqual(['a']);
  });

  it('appendEntries retried with the same ids and expectedRev is recognised as a replay', async () => {
    const threadId = freshId('thread');
    const input = { threadId, expectedRev: 0, entries: [{ id: 'r1' }, { id: 'r2' }] };
    const first = await t.data(APPEND, { input });
    const retry = await t.data(APPEND, { input });
    expect(retry.appendEntries).toMatchObject({ __typename: 'AppendEntriesSuccess', replayed: true });
    expect(retry.appendEntries.entries).toEqual(first.appendEntries.entries);
    expect((await t.data(ENTRIES, { id: threadId })).thread.rev).toBe(2);
  });

  it('appendEntries with an invalid kind is a ValidationError naming the field', async () => {
    const threadId = freshId('thread');
    const data = await t.data(APPEND, { input: { threadId, entries: [{ kind: 'ok' }, { kind: 'no spaces' }] } });
    expect(data.appendEntries).toMatchObject({ __typename: 'ValidationError', field: 'entries[1].kind' });
    expect((await t.data(ENTRIES, { id: threadId })).thread).toBeNull();
  });

  it('Thread.entries pages forward and backward with stable cursors and totalCount = rev', async () => {
    const threadId = freshId('thread');
    const ids = Array.from({ length: 7 }, (_, i) => `p${i}`);
    await t.data(APPEND, { input: { threadId, entries: ids.map((id) => ({ id })) } });

    const page1 = (await t.data(ENTRIES, { id: threadId, first: 3 })).thread.entries;
    expect(page1.totalCount).toBe(7);
    expect(page1.edges.map((e: any) => e.node.seq)).toEqual([0, 1, 2]);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: page1.edges[0].cursor, endCursor: page1.edges[2].cursor });

    const page2 = (await t.data(ENTRIES, { id: threadId, first: 3, after: page1.pageInfo.endCursor })).thread.entries;
    expect(page2.edges.map((e: any) => e.node.id)).toEqual(['p3', 'p4', 'p5']);
    expect(page2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const page3 = (await t.data(ENTRIES, { id: threadId, first: 3, after: page2.pageInfo.endCursor })).thread.entries;
    expect(page3.edges.map((e: any) => e.node.seq)).toEqual([6]);
    expect(page3.pageInfo.hasNextPage).toBe(false);

    const tail = (await t.data(ENTRIES, { id: threadId, last: 2 })).thread.entries;
    expect(tail.edges.map((e: any) => e.node.seq)).toEqual([5, 6]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const before = (await t.data(ENTRIES, { id: threadId, last: 2, before: tail.pageInfo.startCursor })).thread.entries;
    expect(before.edges.map((e: any) => e.node.seq)).toEqual([3, 4]);

    const all = (await t.data(ENTRIES, { id: threadId })).thread.entries;
    expect(all.edges.map((e: any) => e.node.id)).toEqual(ids);
    expect(all.edges[4].cursor).toBe(page2.edges[1].cursor);

    await t.data(APPEND, { input: { threadId, entries: [{ id: 'p7' }] } });
    const after = (await t.data(ENTRIES, { id: threadId, first: 10, after: page3.pageInfo.endCursor })).thread.entries;
    expect(after.edges.map((e: any) => e.node.id)).toEqual(['p7']);
    expect(after.totalCount).toBe(8);
  });

  it('threads lists by id with cursors; thread is null when missing; deleteThread is idempotent', async () => {
    const prefix = freshId('list');
    const names = [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`];
    for (const threadId of names) await t.data(APPEND, { input: { threadId, entries: [{}] } });
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const data: any = await t.data('query($after: String) { threads(first: 2, after: $after) { edges { cursor node { id rev } } pageInfo { hasNextPage hasPreviousPage endCursor } } }', { after });
      seen.push(...data.threads.edges.map((e: any) => e.node.id));
      if (after !== null) expect(data.threads.pageInfo.hasPreviousPage).toBe(true);
      if (!data.threads.pageInfo.hasNextPage) break;
      after = data.threads.pageInfo.endCursor;
    }
    expect(seen.filter((id) => id.startsWith(prefix))).toEqual([...names].sort());
    expect(seen).toEqual([...seen].sort());

    expect((await t.data('mutation($id: ID!) { deleteThread(id: $id) { deleted } }', { id: names[0] })).deleteThread.deleted).toBe(true);
    expect((await t.data('mutation($id: ID!) { deleteThread(id: $id) { deleted } }', { id: names[0] })).deleteThread.deleted).toBe(false);
    expect((await t.data('query($id: ID!) { thread(id: $id) { id } }', { id: names[0] })).thread).toBeNull();
  });

  it('putCheckpoint writes, fences and validates pointers; checkpoint and checkpoints read it back', async () => {
    const agentType = freshId('agent');
    const threadId = freshId('thread');
    await t.data(APPEND, { input: { threadId, entries: [{}, {}] } });

    const bare = await t.data(PUT, { input: { agentType, agentId: 'b', state: { n: 0 } } });
    expect(bare.putCheckpoint).toMatchObject({ __typename: 'PutCheckpointSuccess', checkpoint: { rev: 1, version: 1, thread: null } });

    const created = await t.data(PUT, { input: { agentType, agentId: 'a', state: { n: 1 }, version: 3, expectedRev: 0, thread: { id: threadId, rev: 2 } } });
    expect(created.putCheckpoint.checkpoint).toMatchObject({
      agentType, agentId: 'a', rev: 1, version: 3, state: { n: 1 }, thread: { id: threadId, rev: 2, thread: { id: threadId, rev: 2 } },
    });

    const retried = await t.data(PUT, { input: { agentType, agentId: 'a', state: { n: 1 }, version: 3, expectedRev: 0, thread: { id: threadId, rev: 2 } } });
    expect(retried.putCheckpoint).toEqual(created.putCheckpoint);
    const fenced = await t.data(PUT, { input: { agentType, agentId: 'a', state: { n: 2 }, expectedRev: 0 } });
    expect(fenced.putCheckpoint).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 0, actualRev: 1 });

    const ahead = await t.data(PUT, { input: { agentType, agentId: 'a', state: { n: 2 }, thread: { id: threadId, rev: 5 } } });
    expect(ahead.putCheckpoint).toMatchObject({ __typename: 'InvalidThreadPointer', threadId, pointerRev: 5, storedRev: 2 });

    const invalid = await t.data(PUT, { input: { agentType, agentId: '', state: {} } });
    expect(invalid.putCheckpoint).toMatchObject({ __typename: 'ValidationError', field: 'agentId' });

    const read = await t.data('query($t: String!) { checkpoint(agentType: $t, agentId: "a") { rev state thread { rev thread { rev } } } }', { t: agentType });
    expect(read.checkpoint).toEqual({ rev: 1, state: { n: 1 }, thread: { rev: 2, thread: { rev: 2 } } });
    expect((await t.data('query($t: String!) { checkpoint(agentType: $t, agentId: "zz") { rev } }', { t: agentType })).checkpoint).toBeNull();

    await t.data('mutation($id: ID!) { deleteThread(id: $id) { deleted } }', { id: threadId });
    const dangling = await t.data('query($t: String!) { checkpoint(agentType: $t, agentId: "a") { thread { id rev thread { id } } } }', { t: agentType });
    expect(dangling.checkpoint.thread).toEqual({ id: threadId, rev: 2, thread: null });
    await t.data(APPEND, { input: { threadId, entries: [{}, {}, {}] } });
    const recreated = await t.data('query($t: String!) { checkpoint(agentType: $t, agentId: "a") { thread { id rev thread { id } } } }', { t: agentType });
    expect(recreated.checkpoint.thread).toEqual({ id: threadId, rev: 2, thread: null });

    const list = await t.data('query($t: String) { checkpoints(agentType: $t, first: 1) { edges { cursor node { agentId } } pageInfo { hasNextPage endCursor } } }', { t: agentType });
    expect(list.checkpoints.edges.map((e: any) => e.node.agentId)).toEqual(['a']);
    expect(list.checkpoints.pageInfo.hasNextPage).toBe(true);
    const next = await t.data('query($t: String, $after: String) { checkpoints(agentType: $t, first: 5, after: $after) { edges { node { agentId } } pageInfo { hasNextPage hasPreviousPage } } }', { t: agentType, after: list.checkpoints.pageInfo.endCursor });
    expect(next.checkpoints.edges.map((e: any) => e.node.agentId)).toEqual(['b']);
    expect(next.checkpoints.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });

    const del = 'mutation($t: String!) { deleteCheckpoint(agentType: $t, agentId: "a") { deleted } }';
    expect((await t.data(del, { t: agentType })).deleteCheckpoint.deleted).toBe(true);
    expect((await t.data(del, { t: agentType })).deleteCheckpoint.deleted).toBe(false);
    expect((await t.data('query($t: String!) { checkpoint(agentType: $t, agentId: "a") { rev } }', { t: agentType })).checkpoint).toBeNull();
  });

  it('checkpoints without a filter are ordered by (agentType, agentId)', async () => {
    const p = freshId('order');
    for (const [agentType, agentId] of [[`${p}-b`, '1'], [`${p}-a`, '2'], [`${p}-a`, '1']] as const) {
      await t.data(PUT, { input: { agentType, agentId, state: {} } });
    }
    const data = await t.data('{ checkpoints(first: 500) { edges { node { agentType agentId } } } }');
    const mine = data.checkpoints.edges.map((e: any) => `${e.node.agentType}/${e.node.agentId}`).filter((k: string) => k.startsWith(p));
    expect(mine).toEqual([`${p}-a/1`, `${p}-a/2`, `${p}-b/1`]);
  });
});
