import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startTestApp, type TestApp } from '../support/app.js';

const GQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

/**
 * One row per kind of error: the request body, then the status an `application/json` client and an
 * `application/graphql-response+json` client get, and the `extensions.code` of the error (null:
 * graphql-js gives none). The README's error section states this table.
 */
const CASES: { name: string; body: string; json: number; graphqlResponse: number; code: string | null; data?: boolean }[] = [
  { name: 'body is not JSON', body: '{"query":', json: 400, graphqlResponse: 400, code: 'BAD_REQUEST' },
  { name: 'body is a JSON array', body: '[1]', json: 400, graphqlResponse: 400, code: 'BAD_REQUEST' },
  { name: 'no query parameter', body: '{"qeury":"{ __typename }"}', json: 400, graphqlResponse: 400, code: 'BAD_REQUEST' },
  { name: 'variables is not an object', body: '{"query":"query Q($i: Int) { __typename }","variables":[7]}', json: 400, graphqlResponse: 400, code: 'BAD_REQUEST' },
  { name: 'operationName is not a string', body: '{"query":"{ __typename }","operationName":7}', json: 400, graphqlResponse: 400, code: 'BAD_REQUEST' },
  { name: 'document does not parse', body: '{"query":"{"}', json: 200, graphqlResponse: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'document does not validate', body: '{"query":"{ nope }"}', json: 200, graphqlResponse: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'operation cannot be determined', body: '{"query":"query A { __typename } query B { __typename }"}', json: 200, graphqlResponse: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  { name: 'variable does not coerce', body: '{"query":"query($id: ID!) { thread(id: $id) { rev } }","variables":{"id":{}}}', json: 200, graphqlResponse: 400, code: 'BAD_USER_INPUT' },
  { name: 'field error (bad page size) with data', body: '{"query":"{ threads(first: 0) { edges { node { id } } } }"}', json: 200, graphqlResponse: 200, code: 'BAD_USER_INPUT', data: true },
];

describe('HTTP status by response media type (GraphQL over HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { limits: { maxEntriesPerAppend: 2 } });
  });
  afterAll(() => t?.close());

  const post = async (body: string, accept: string) => {
    const response = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };

  for (const c of CASES) {
    it(`${c.name}: application/json → ${c.json}, application/graphql-response+json → ${c.graphqlResponse}`, async () => {
      for (const [accept, status] of [[JSON_TYPE, c.json], [GQL_RESPONSE, c.graphqlResponse]] as const) {
        const reply = await post(c.body, accept);
        expect(reply.status, `${accept}: ${JSON.stringify(reply.body)}`).toBe(status);
        expect(reply.type).toBe(`${accept}; charset=utf-8`);
        expect(reply.body.errors?.length).toBeGreaterThan(0);
        expect(reply.body.errors![0]!.extensions?.code ?? null).toBe(c.code);
        expect('data' in reply.body).toBe(Boolean(c.data));
      }
    });
  }

  it('an input list far over the limit (refused before coercion) follows the variable rule: 200 / 400', async () => {
    const body = JSON.stringify({
      query: 'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename } }',
      variables: { input: { threadId: freshId('list'), entries: Array.from({ length: 100 }, () => ({})) } },
    });
    const legacy = await post(body, JSON_TYPE);
    const modern = await post(body, GQL_RESPONSE);
    expect([legacy.status, modern.status]).toEqual([200, 400]);
    expect(legacy.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('without an Accept header the answer is application/json (the legacy default)', async () => {
    const response = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ nope }"}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
