import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { wsClient } from './live-helpers.js';

// An operation over a query-shape limit is refused like any invalid document: HTTP 400 with
// extensions.code GRAPHQL_VALIDATION_FAILED, naming which limit (never its value) in production.
// Before, production answered 200 with a bare "Syntax Error: Query validation error." and no code
// for all of them alike.

const OVER: [string, string, RegExp][] = [
  ['aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: serverInfo { version }`).join(' ')} }`, /aliases/],
  ['directives', `{ serverInfo { version ${'@include(if: true) '.repeat(51)} } }`, /directives/],
  ['cost', '{ threads(first: 500) { edges { node { entries(last: 500) { edges { node { id payload } } } } } } }', /cost/],
  ['depth', '{ checkpoint(agentType: "a", agentId: "b") { thread { thread { entries { edges { node { id } } } } } } }', /deep/],
];

describe('query-shape limits in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { production: true, queryLimits: { maxDepth: 5 } });
  });
  afterAll(() => t?.close());

  it.each(OVER)('%s: 400, GRAPHQL_VALIDATION_FAILED, names the limit without its value', async (_name, query, names) => {
    const { status, body } = await t.gql(query);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0]?.message).toMatch(names);
    expect(body.errors?.[0]?.message).not.toMatch(/\d/);
  });

  it('over WebSocket the same errors arrive as operation errors', async () => {
    const client = wsClient(t.graphqlUrl);
    try {
      for (const [, query, names] of OVER) {
        const errors = await new Promise<readonly any[]>((resolve, reject) => {
          client.subscribe({ query }, { next: (r) => r.errors && resolve(r.errors), error: (e) => (Array.isArray(e) ? resolve(e) : reject(e)), complete: () => undefined });
        });
        expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(errors[0]?.message).toMatch(names);
      }
    } finally {
      await client.dispose();
    }
  });
});
