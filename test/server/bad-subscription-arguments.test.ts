import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

// A bad subscription argument is the caller's mistake: over HTTP (SSE or a single JSON result) it
// must get the same status as a bad query argument, never a 5xx (which proxies and clients read
// as a server failure and retry).

const BAD_SUBSCRIPTIONS: [string, string][] = [
  ['subscription { threadEntries(threadId: "x", fromSeq: -5) { __typename } }', 'fromSeq'],
  ['subscription { threadEntries(threadId: "") { __typename } }', 'threadId'],
  ['subscription { checkpointEvents(agentType: "") { __typename } }', 'agentType'],
];

describe.each([true, false])('bad subscription arguments over HTTP (production %s)', (production) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('memory', { production });
  });
  afterAll(() => t?.close());

  const post = (accept: string, query: string) =>
    fetch(t.graphqlUrl, { method: 'POST', headers: { accept, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

  it.each(['text/event-stream', 'application/graphql-response+json', 'application/json'])('%s: BAD_USER_INPUT naming the field, with the status of a bad query argument', async (accept) => {
    const query = await post(accept, '{ threads(first: -1) { edges { cursor } } }');
    await query.text();
    expect(query.status).toBe(200);
    for (const [subscription, field] of BAD_SUBSCRIPTIONS) {
      const response = await post(accept, subscription);
      const text = await response.text();
      expect({ subscription, status: response.status }).toEqual({ subscription, status: query.status });
      const json = accept === 'text/event-stream' ? /^data: (\{.*\})$/m.exec(text)![1]! : text;
      expect(JSON.parse(json)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', field } }] });
    }
  });
});
