import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { wsClient } from './live-helpers.js';

// graphql-js coerces every item of an input-object list variable before any resolver can check
// its length: 4 million `{}` entries (12 MB, inside the body limit) blocked the event loop for
// ~20 s and took ~1 GB of heap. Lists far beyond the per-call limit are refused before coercion;
// a list just over it still gets the typed ValidationError.

const MAX = 5;
const APPEND = 'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on Error { message } ... on ValidationError { field } } }';
const HIBERNATE = 'mutation($input: HibernateInput!) { hibernate(input: $input) { __typename ... on Error { message } } }';

describe('input lists far beyond the limit (production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { production: true, limits: { maxEntriesPerAppend: MAX } });
  });
  afterAll(() => t?.close());

  const rev = async (id: string) => ((await t.data('query($id: ID!) { thread(id: $id) { rev } }', { id })).thread?.rev ?? 0) as number;

  it('refuses 200,000 entries before coercing them: 400 BAD_USER_INPUT naming the list; nothing written', async () => {
    const threadId = freshId('huge');
    const entries = Array.from({ length: 200_000 }, () => ({}));
    for (const [query, variables, field] of [
      [APPEND, { input: { threadId, entries } }, 'input.entries'],
      [HIBERNATE, { input: { agentType: 'a', agentId: threadId, state: {}, thread: { id: threadId, rev: entries.length, entries } } }, 'input.thread.entries'],
    ] as const) {
      const { status, body } = await t.gql(query, variables);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
      expect(body.errors?.[0]?.message).toMatch(/200000 items/);
    }
    expect(await rev(threadId)).toBe(0);
  });

  it('a list just over the limit is still the typed ValidationError', async () => {
    const threadId = freshId('over');
    const { status, body } = await t.gql(APPEND, { input: { threadId, entries: Array.from({ length: MAX + 1 }, () => ({})) } });
    expect(status).toBe(200);
    expect(body.data?.appendEntries).toMatchObject({ __typename: 'ValidationError', field: 'entries' });
  });

  it('over WebSocket the refusal is an operation error and the socket keeps serving', async () => {
    const client = wsClient(t.graphqlUrl);
    try {
      const run = (variables: Record<string, unknown>) =>
        new Promise<{ data?: any; errors?: readonly any[] }>((resolve, reject) => {
          let last: { data?: any; errors?: readonly any[] } = {};
          client.subscribe({ query: APPEND, variables }, {
            next: (r) => (last = r),
            error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)),
            complete: () => resolve(last),
          });
        });
      const threadId = freshId('ws-huge');
      const refused = await run({ input: { threadId, entries: Array.from({ length: 200_000 }, () => ({})) } });
      expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.entries' } });
      const fine = await run({ input: { threadId, entries: [{}] } });
      expect(fine.data?.appendEntries.__typename).toBe('AppendEntriesSuccess');
    } finally {
      await client.dispose();
    }
  });
});
