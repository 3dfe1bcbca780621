import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, type TestApp } from '../support/app.js';

const LIMITS = { maxRequestBytes: 64 * 1024, maxEntryBytes: 2048, maxStateBytes: 4096, maxEntriesPerAppend: 5, maxPageSize: 20, defaultPageSize: 10 };

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendEntriesInput!) {
    appendEntries(input: $input) {
      __typename
      ... on AppendEntriesSuccess { thread { rev } }
      ... on Error { message }
      ... on RevisionConflict { expectedRev actualRev }
      ... on ValidationError { field }
    }
  }
`;

/** Raw POST with full control of headers and body chunks; resolves with status and body text. */
function rawPost(url: string, headers: Record<string, string | number>, chunks: (string | Buffer)[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('bad input over HTTP: a clear error naming the problem, nothing written, server keeps serving', () => {
  let t: TestApp;
  let threadId: string;
  const threadRev = async (id: string) =>
    ((await t.data('query($id: ID!) { thread(id: $id) { rev } }', { id })).thread?.rev ?? 0) as number;

  beforeAll(async () => {
    t = await startTestApp('memory', { limits: LIMITS });
  });
  afterAll(() => t?.close());
  beforeAll(() => {
    threadId = freshId('bad');
  });
  afterEach(async () => {
    expect(await t.data('{ __typename }')).toEqual({ __typename: 'Query' });
    expect(await threadRev(threadId)).toBe(0);
  });

  it('a declared content-length over the limit is 413 before the body is read', async () => {
    const body = JSON.stringify({ query: APPEND, variables: { input: { threadId, entries: [{ payload: { pad: 'x'.repeat(70 * 1024) } }] } } });
    const { status, text } = await rawPost(t.graphqlUrl, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, [body]);
    expect(status).toBe(413);
    expect(JSON.parse(text).errors[0]).toMatchObject({ message: expect.stringContaining(`at most ${LIMITS.maxRequestBytes} bytes`), extensions: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('a chunked body that streams past the limit is 413', async () => {
    const head = `{"query":${JSON.stringify(APPEND)},"variables":{"input":{"threadId":${JSON.stringify(threadId)},"entries":[{"payload":{"pad":"`;
    const filler = 'y'.repeat(16 * 1024);
    const { status, text } = await rawPost(t.graphqlUrl, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, [head, filler, filler, filler, filler, filler, '"}}]}}}']);
    expect(status).toBe(413);
    expect(text).toContain('request body too large');
  });

  it('a body just under the limit is accepted (the limit is the body, not less)', async () => {
    const other = freshId('fits');
    const { status } = await t.gql(APPEND, { input: { threadId: other, entries: [{ payload: { pad: 'z'.repeat(1500) } }] } });
    expect(status).toBe(200);
    expect(await threadRev(other)).toBe(1);
  });

  it('a body over 16 KiB (handed to Yoga as a Blob) but under the limit is read intact', async () => {
    const other = freshId('large');
    const text = 'é'.repeat(900);
    const entries = Array.from({ length: 5 }, (_, i) => ({ id: `big-${i}`, payload: { text } }));
    const metadata = { notes: 'ü'.repeat(6000) };
    const body = JSON.stringify({ query: APPEND, variables: { input: { threadId: other, entries, metadata } } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(16 * 1024);
    const { status, text: reply } = await rawPost(t.graphqlUrl, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, [body]);
    expect(status).toBe(200);
    expect(JSON.parse(reply).data.appendEntries).toMatchObject({ __typename: 'AppendEntriesSuccess', thread: { rev: 5 } });
    const stored = await t.data('query($id: ID!) { thread(id: $id) { metadata entries { edges { node { payload } } } } }', { id: other });
    expect(stored.thread.entries.edges.map((e: any) => e.node.payload.text)).toEqual(Array(5).fill(text));
    expect(stored.thread.metadata).toEqual(metadata);
  });

  it('invalid JSON is a 400 saying so', async () => {
    const { status, text } = await rawPost(t.graphqlUrl, { 'content-type': 'application/json' }, ['{"query": "mutation { appendEntries(']);
    expect(status).toBe(400);
    expect(JSON.parse(text).errors[0].message).toMatch(/invalid JSON/i);
  });

  it('a GraphQL syntax error is a 400 naming the position', async () => {
    const { status, body } = await t.gql('mutation { appendEntries(input: { threadId: "x" ');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });

  it.each([
    ['expectedRev as a string', { threadId: 'T', entries: [{}], expectedRev: 'three' }, /expectedRev.*Int/],
    ['expectedRev beyond 32 bits', { threadId: 'T', entries: [{}], expectedRev: 2 ** 31 }, /expectedRev.*32-bit/],
    ['entries not a list of objects', { threadId: 'T', entries: [5] }, /entries\[0\]/],
    ['payload an array', { threadId: 'T', entries: [{ payload: [1, 2] }] }, /payload.*JSONObject must be a JSON object \(got an array\)/],
    ['refs null inside a list item is fine but a string is not', { threadId: 'T', entries: [{ refs: 'x' }] }, /refs.*got a string/],
    ['at not ISO-8601', { threadId: 'T', entries: [{ at: 'yesterday' }] }, /at.*DateTime must be an ISO-8601/],
    ['at an impossible date', { threadId: 'T', entries: [{ at: '2026-02-30T00:00:00Z' }] }, /DateTime must be an ISO-8601/],
    ['metadata a string', { threadId: 'T', entries: [{}], metadata: 'm' }, /metadata.*JSONObject/],
    ['missing threadId', { entries: [{}] }, /threadId.*required/],
  ])('wrong variable types: %s', async (_name, input, pattern) => {
    const { status, body } = await t.gql(APPEND, { input: { ...input, threadId: 'threadId' in input ? threadId : undefined } });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(pattern);
  });

  it.each([
    ['an empty thread id', () => ({ threadId: '', entries: [{}] }), 'threadId', /must not be empty/],
    ['a thread id with a control character', () => ({ threadId: 'a\u0001b', entries: [{}] }), 'threadId', /control characters/],
    ['a thread id over 256 characters', () => ({ threadId: 'x'.repeat(257), entries: [{}] }), 'threadId', /at most 256 characters/],
    ['an entry id over 256 characters', () => ({ threadId, entries: [{ id: 'i'.repeat(300) }] }), 'entries[0].id', /at most 256/],
    ['a kind with spaces', () => ({ threadId, entries: [{}, { kind: 'two words' }] }), 'entries[1].kind', /letters, digits/],
    ['a kind over 64 characters', () => ({ threadId, entries: [{ kind: 'k'.repeat(65) }] }), 'entries[0].kind', /at most 64/],
    ['an empty kind', () => ({ threadId, entries: [{ kind: '' }] }), 'entries[0].kind', /non-empty/],
    ['an oversized entry', () => ({ threadId, entries: [{ payload: { pad: 'p'.repeat(3000) } }] }), 'entries[0].payload', /at most 2048 bytes/],
    ['too many entries in one call', () => ({ threadId, entries: Array.from({ length: 6 }, () => ({})) }), 'entries', /at most 5 entries \(got 6\)/],
    ['no entries', () => ({ threadId, entries: [] }), 'entries', /at least one entry/],
    ['duplicate entry ids', () => ({ threadId, entries: [{ id: 'd' }, { id: 'd' }] }), 'entries[1].id', /duplicate/],
    ['a negative expectedRev', () => ({ threadId, entries: [{}], expectedRev: -1 }), 'expectedRev', /must not be negative/],
  ])('invalid values: %s is a ValidationError naming the field', async (_name, input, field, pattern) => {
    const { status, body } = await t.gql(APPEND, { input: input() });
    expect(status).toBe(200);
    expect(body.data?.appendEntries).toMatchObject({ __typename: 'ValidationError', field });
    expect(body.data?.appendEntries.message).toMatch(pattern);
  });

  it('an absurd (but 32-bit) expectedRev is a RevisionConflict, nothing written', async () => {
    const { body } = await t.gql(APPEND, { input: { threadId, entries: [{}], expectedRev: 2 ** 31 - 1 } });
    expect(body.data?.appendEntries).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 2 ** 31 - 1, actualRev: 0 });
  });

  it('an oversized checkpoint state is a ValidationError naming state', async () => {
    const agentId = freshId('agent');
    const { body } = await t.gql(
      'mutation($i: PutCheckpointInput!) { putCheckpoint(input: $i) { __typename ... on ValidationError { field message } } }',
      { i: { agentType: 'a', agentId, state: { pad: 's'.repeat(5000) } } },
    );
    expect(body.data?.putCheckpoint).toMatchObject({ __typename: 'ValidationError', field: 'state', message: expect.stringMatching(/at most 4096 bytes/) });
    expect((await t.data('query($a: String!) { checkpoint(agentType: "a", agentId: $a) { rev } }', { a: agentId })).checkpoint).toBeNull();
  });

  it('an invalid checkpoint version or pointer rev is a ValidationError', async () => {
    const put = 'mutation($i: PutCheckpointInput!) { putCheckpoint(input: $i) { __typename ... on ValidationError { field } } }';
    expect((await t.data(put, { i: { agentType: 'a', agentId: 'v', state: {}, version: -2 } })).putCheckpoint).toEqual({ __typename: 'ValidationError', field: 'version' });
    expect((await t.data(put, { i: { agentType: 'a', agentId: 'v', state: {}, thread: { id: 'x', rev: 0 } } })).putCheckpoint).toEqual({ __typename: 'ValidationError', field: 'thread.rev' });
    expect((await t.data('{ checkpoint(agentType: "a", agentId: "v") { rev } }')).checkpoint).toBeNull();
  });

  it.each([
    ['first: 0', '{ threads(first: 0) { edges { cursor } } }', 'first', /between 1 and 20 \(got 0\)/],
    ['first: -5', '{ threads(first: -5) { edges { cursor } } }', 'first', /between 1 and 20/],
    ['first over the max page size', '{ checkpoints(first: 21) { edges { cursor } } }', 'first', /between 1 and 20 \(got 21\)/],
    ['a malformed cursor', '{ threads(after: "not a cursor!") { edges { cursor } } }', 'after', /not a valid cursor/],
    ['base64 that is not a cursor', `{ checkpoints(after: "${Buffer.from('{"x":1}').toString('base64url')}") { edges { cursor } } }`, 'after', /not a cursor of this list/],
    ['a thread cursor used for checkpoints', `{ checkpoints(after: "${Buffer.from('[1,"t","x"]').toString('base64url')}") { edges { cursor } } }`, 'after', /expected a c cursor/],
    ['an empty thread id', '{ thread(id: "") { rev } }', 'id', /^id: must not be empty$/],
    ['an empty id to delete', 'mutation { deleteThread(id: "") { deleted } }', 'id', /^id: must not be empty$/],
  ])('query arguments: %s is BAD_USER_INPUT', async (_name, query, field, pattern) => {
    const { status, body } = await t.gql(query);
    expect(status).toBe(200);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
    expect(body.errors?.[0]?.message).toMatch(pattern);
  });

  it.each([
    ['a string for an Int', 'query($n: Int) { threads(first: $n) { edges { cursor } } }', { n: 'x' }],
    ['a missing required variable', 'query($id: ID!) { thread(id: $id) { rev } }', {}],
    ['an object for a JSONObject field', 'mutation($i: AppendEntriesInput!) { appendEntries(input: $i) { __typename } }', { i: { threadId: 't', entries: [{ payload: [1] }] } }],
  ])('wrong variables (%s) are HTTP 400 with BAD_USER_INPUT', async (_name, query, variables) => {
    const { status, body } = await t.gql(query, variables);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Variable "\$\w+"/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('page sizes and cursors of Thread.entries are checked the same way', async () => {
    const other = freshId('paged');
    await t.data(APPEND, { input: { threadId: other, entries: [{}, {}] } });
    for (const [args, field] of [['first: 21', 'first'], ['last: 0', 'last'], ['first: 1, last: 1', 'last'], ['before: "%%%"', 'before']] as const) {
      const { body } = await t.gql(`query($id: ID!) { thread(id: $id) { entries(${args}) { totalCount } } }`, { id: other });
      expect(body.errors?.[0]?.extensions, args).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('too many aliases, directives or tokens are refused before execution', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: serverInfo { version }`).join(' ')} }`;
    const aliased = await t.gql(aliases);
    expect(aliased.body.data).toBeUndefined();
    expect(aliased.body.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);

    const directives = `{ serverInfo { version ${'@include(if: true) '.repeat(51)} } }`;
    const directed = await t.gql(directives);
    expect(directed.body.errors?.[0]?.message).toMatch(/Directives limit of 50 exceeded/);

    const tokens = `{ serverInfo { ${'version '.repeat(2100)} } }`;
    const tokenized = await t.gql(tokens);
    expect(tokenized.body.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
  });

  it('a page of 500-entry pages is over the cost limit; one 500-entry page deep in thaw is not', async () => {
    const bomb = '{ threads(first: 500) { edges { node { entries(last: 500) { edges { node { id payload refs at kind } } } } } } }';
    const refused = await t.gql(bomb);
    expect(refused.body.errors?.[0]?.message).toMatch(/Query Cost limit of 200000 exceeded/);
    const fine = await t.gql(
      'mutation { thaw(agentType: "none", agentId: "none") { ... on ThawSuccess { thread { entries(last: 500) { totalCount edges { cursor node { id seq at kind payload refs } } pageInfo { hasNextPage } } } } } }',
    );
    expect(fine.body.errors).toBeUndefined();
  });

  it('an unknown field is a validation error naming it', async () => {
    const { status, body } = await t.gql('{ threadz { edges { cursor } } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "threadz" on type "Query"/);
  });
});

describe('query depth limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { queryLimits: { maxDepth: 5 } });
  });
  afterAll(() => t?.close());

  it('refuses a document deeper than the limit and keeps serving', async () => {
    const deep = '{ checkpoint(agentType: "a", agentId: "b") { thread { thread { entries { edges { node { id } } } } } } }';
    const { body } = await t.gql(deep);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(/Query depth limit of 5 exceeded, found 7/);
    expect(await t.data('{ checkpoint(agentType: "a", agentId: "b") { thread { id } } }')).toEqual({ checkpoint: null });
  });
});
