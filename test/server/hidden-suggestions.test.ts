import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { wsClient } from './live-helpers.js';

// With introspection off, "Did you mean …?" would still reveal the schema's names; armor hides it
// in validation errors, and the same must hold for variable errors (coerced during execution), over
// HTTP and WebSocket. Outside production the hints stay.

const APPEND = 'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename } }';
const MISSPELT = { input: { threadId: 'x', entries: [{ kindd: 'note' }] } };

describe.each([true, false])('suggestions in variable errors (production %s)', (production) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { production });
  });
  afterAll(() => t?.close());

  it('over HTTP: a 400 naming the unknown field, with a hint only outside production', async () => {
    const { status, body } = await t.gql(APPEND, MISSPELT);
    expect(status).toBe(400);
    const message = body.errors?.[0]?.message ?? '';
    expect(message).toMatch(/Field "kindd" is not defined by type "EntryInput"/);
    if (production) expect(message).not.toMatch(/Did you mean/);
    else expect(message).toMatch(/Did you mean "kind"/);
  });

  it('over WebSocket: the same message', async () => {
    const client = wsClient(t.graphqlUrl);
    try {
      const errors = await new Promise<{ message: string }[]>((resolve, reject) => {
        client.subscribe(
          { query: APPEND, variables: MISSPELT },
          { next: (r) => r.errors && resolve(r.errors as { message: string }[]), error: (e) => (Array.isArray(e) ? resolve(e) : reject(e)), complete: () => undefined },
        );
      });
      expect(errors[0]?.message).toMatch(/Field "kindd" is not defined by type "EntryInput"/);
      if (production) expect(errors[0]?.message).not.toMatch(/Did you mean/);
      else expect(errors[0]?.message).toMatch(/Did you mean "kind"/);
    } finally {
      await client.dispose();
    }
  });
});
