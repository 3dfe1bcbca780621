import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairUse } from '../../src/auth/fair-use.js';
import { closeCode, connected, startAuthApp, type AuthApp } from './helpers.js';

const LIVE = 'subscription($id: ID!) { threadEntries(threadId: $id) { __typename } }';

/** Starts a subscription; resolves with its first result (an event or the errors). */
function first(client: Client, id: string): { result: Promise<any>; stop: () => void } {
  let stop: () => void = () => {};
  const result = new Promise<any>((resolve) => {
    stop = client.subscribe({ query: LIVE, variables: { id } }, { next: resolve, error: (e) => resolve({ errors: e }), complete: () => {} });
  });
  return { result, stop: () => stop() };
}

describe('fair use per credential', () => {
  let server: AuthApp;
  beforeAll(async () => {
    server = await startAuthApp({ auth: { maxSocketsPerClient: 2, maxSubscriptionsPerClient: 2 } });
  });
  afterAll(() => server.close());

  it('caps concurrent WebSockets per credential (4429), not across credentials', async () => {
    const key = await server.key('fair', ['read']);
    const [one, two] = [server.ws(key), server.ws(key)];
    await Promise.all([connected(one), connected(two)]);
    expect(await closeCode(server.ws(key))).toBe(4429);
    await connected(server.ws(await server.key('fair', ['read'])));
    await one.dispose();
    await connected(server.ws(key)); // a slot was freed
  });

  it('caps subscriptions per credential across sockets and SSE (TOO_MANY_SUBSCRIPTIONS); ending one frees a slot', async () => {
    const key = await server.key('fair', ['read']);
    const socket = server.ws(key);
    await connected(socket);
    const a = first(socket, 'a');
    const b = first(socket, 'b');
    expect((await a.result).data.threadEntries.__typename).toBe('CaughtUp');
    expect((await b.result).data.threadEntries.__typename).toBe('CaughtUp');
    const c = first(socket, 'c');
    expect((await c.result).errors.map((e: any) => e.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    const sse = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: LIVE, variables: { id: 'd' } }),
    });
    expect(await sse.text()).toContain('TOO_MANY_SUBSCRIPTIONS');
    a.stop();
    // The release happens when the server ends the stream: retry until the slot is free.
    let result: any;
    for (let i = 0; i < 100; i++) {
      result = await first(socket, `e${i}`).result;
      if (!result.errors) break;
    }
    expect(result.data.threadEntries.__typename).toBe('CaughtUp');
  });

  it('limits the request rate with 429 and Retry-After', async () => {
    const limited = await startAuthApp({ auth: { requestsPerSecond: 2 } });
    try {
      const key = await limited.key('fair', ['read']);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      let code: string | undefined;
      for (let i = 0; i < 10; i++) {
        const answer = await limited.call(key, '{ viewer { namespace } }');
        statuses.push(answer.status);
        if (answer.status === 429) {
          retryAfter = answer.headers.get('retry-after');
          code = answer.body.errors?.[0]?.extensions?.code;
        }
      }
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(code).toBe('TOO_MANY_REQUESTS');
      // Another credential has its own budget.
      expect((await limited.call(await limited.key('fair', ['read']), '{ viewer { namespace } }')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('token bucket: refills at the configured rate (unit, with a controlled clock)', () => {
    let now = 0;
    const fair = new FairUse({ maxSocketsPerClient: 1, maxSubscriptionsPerClient: 1, requestsPerSecond: 4 }, () => now);
    expect([1, 2, 3, 4].map(() => fair.takeRequest('c'))).toEqual([0, 0, 0, 0]);
    expect(fair.takeRequest('c')).toBe(1);
    now += 250;
    expect(fair.takeRequest('c')).toBe(0);
    expect(fair.takeRequest('other')).toBe(0);
    const release = fair.startSubscription('c');
    expect(() => fair.startSubscription('c')).toThrow(/too many subscriptions/);
    release();
    release();
    expect(fair.subscriptions('c')).toBe(0);
  });
});
