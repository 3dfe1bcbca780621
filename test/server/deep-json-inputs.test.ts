import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/domain/validate.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';

// A deeply nested JSON value inside the body limit must be a ValidationError naming the field,
// never a stack overflow: neither an "Unexpected error." on write, nor a value that is stored
// but can no longer be serialized when read back (the thread would be unreadable).

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendEntriesInput!) {
    appendEntries(input: $input) { __typename ... on Error { message } ... on ValidationError { field } }
  }
`;
const PUT = /* GraphQL */ `
  mutation Put($input: PutCheckpointInput!) {
    putCheckpoint(input: $input) { __typename ... on Error { message } ... on ValidationError { field } }
  }
`;
const HIBERNATE = /* GraphQL */ `
  mutation H($input: HibernateInput!) {
    hibernate(input: $input) { __typename ... on Error { message } ... on ValidationError { field } }
  }
`;

/** `{"a":[[…[]…]]}` with `depth` levels in all (the object is level 1), as JSON text. */
const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe.each(['memory', 'file'] as const)('deeply nested JSON (%s storage, production)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { production: true });
  });
  afterAll(() => t?.close());

  /** POSTs with `variables` spliced in as raw JSON text (JSON.stringify would overflow first). */
  const post = async (query: string, variables: string) => {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: `{"query":${JSON.stringify(query)},"variables":${variables}}`,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it.each([MAX_JSON_DEPTH + 1, 4_000, 100_000])('refuses %i levels in payload, refs, metadata and state with a ValidationError; nothing is written', async (depth) => {
    const threadId = freshId('deep');
    const agentId = freshId('agent');
    const cases: [string, string, string, string][] = [
      [APPEND, 'appendEntries', `{"input":{"threadId":"${threadId}","entries":[{"payload":${nested(depth)}}]}}`, 'entries[0].payload'],
      [APPEND, 'appendEntries', `{"input":{"threadId":"${threadId}","entries":[{},{"refs":${nested(depth)}}]}}`, 'entries[1].refs'],
      [APPEND, 'appendEntries', `{"input":{"threadId":"${threadId}","entries":[{}],"metadata":${nested(depth)}}}`, 'metadata'],
      [PUT, 'putCheckpoint', `{"input":{"agentType":"a","agentId":"${agentId}","state":${nested(depth)}}}`, 'state'],
      [HIBERNATE, 'hibernate', `{"input":{"agentType":"a","agentId":"${agentId}","state":${nested(depth)}}}`, 'state'],
    ];
    for (const [query, field, variables, expectedField] of cases) {
      const { status, body } = await post(query, variables);
      expect({ field, status, body }).toMatchObject({
        status: 200,
        body: { data: { [field]: { __typename: 'ValidationError', field: expectedField, message: expect.stringMatching(/nests deeper than/) } } },
      });
    }
    const after = await t.data('query($id: ID!, $a: String!) { thread(id: $id) { rev } checkpoint(agentType: "a", agentId: $a) { rev } }', {
      id: threadId,
      a: agentId,
    });
    expect(after).toEqual({ thread: null, checkpoint: null });
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and reads them back`, async () => {
    const threadId = freshId('deep-ok');
    const { body } = await post(APPEND, `{"input":{"threadId":"${threadId}","entries":[{"payload":${nested(MAX_JSON_DEPTH)}}]}}`);
    expect(body.data.appendEntries.__typename).toBe('AppendEntriesSuccess');
    const read = await t.data('query($id: ID!) { thread(id: $id) { entries { edges { node { payload } } } } }', { id: threadId });
    expect(JSON.stringify(read.thread.entries.edges[0].node.payload)).toBe(nested(MAX_JSON_DEPTH));
  });
});
