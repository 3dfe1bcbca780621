import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { freshId, startTestApp, type TestApp } from '../support/app.js';

// A web page on another origin must neither read nor write a Cryo server (typically on
// 127.0.0.1) through the visitor's browser: no CORS grant, and requests a browser sends without a
// preflight (form posts, multipart) or over WebSocket (no CORS at all) are refused by Origin.

const EVIL = 'http://evil.example';
const appendMutation = (threadId: string) => `mutation { appendEntries(input: { threadId: "${threadId}", entries: [{}] }) { __typename } }`;

/** Opens a graphql-transport-ws socket with this Origin (none when undefined): 'open' or the refusal's status. */
function openSocket(url: string, origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('cross-origin requests (production)', () => {
  let t: TestApp;
  let wsUrl: string;
  let sameOrigin: string;
  beforeAll(async () => {
    t = await startTestApp('memory', { production: true });
    wsUrl = t.graphqlUrl.replace(/^http/, 'ws');
    sameOrigin = new URL(t.url).origin;
  });
  afterAll(() => t?.close());

  const rev = async (id: string) => ((await t.data('query($id: ID!) { thread(id: $id) { rev } }', { id })).thread?.rev ?? 0) as number;

  it('a form-encoded or multipart mutation from another origin is refused (403, FORBIDDEN_ORIGIN) and writes nothing', async () => {
    const threadId = freshId('csrf');
    const form = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(appendMutation(threadId))}`,
    });
    const multipart = new FormData();
    multipart.append('operations', JSON.stringify({ query: appendMutation(threadId) }));
    multipart.append('map', '{}');
    const upload = await fetch(t.graphqlUrl, { method: 'POST', headers: { origin: EVIL }, body: multipart });
    for (const response of [form, upload]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN_ORIGIN' } }] });
    }
    expect(await rev(threadId)).toBe(0);
  });

  it('another origin gets no CORS grant: the preflight and a JSON query are refused', async () => {
    const preflight = await fetch(t.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ threads { edges { node { id } } } }' }),
    });
    expect(read.status).toBe(403);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the same origin (the dashboard) and clients that send no Origin are served', async () => {
    const threadId = freshId('same');
    for (const headers of [{ origin: sameOrigin }, {}] as Record<string, string>[]) {
      const response = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: appendMutation(threadId) }),
      });
      expect(response.status).toBe(200);
    }
    expect(await rev(threadId)).toBe(2);
  });

  it('behind a proxy that rewrites Host, the public host may come as X-Forwarded-Host', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(t.graphqlUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect((await post({ origin: 'https://cryo.example.com', 'x-forwarded-host': 'cryo.example.com' })).status).toBe(200);
    expect((await post({ origin: 'https://cryo.example.com', 'x-forwarded-host': 'other.example.com' })).status).toBe(403);
  });

  it('a WebSocket from another origin is refused at the upgrade (403); the same origin and no Origin connect', async () => {
    expect(await openSocket(wsUrl, EVIL)).toBe(403);
    expect(await openSocket(wsUrl, 'null')).toBe(403);
    expect(await openSocket(wsUrl, sameOrigin)).toBe('open');
    expect(await openSocket(wsUrl, undefined)).toBe('open');
  });
});

describe('cross-origin requests with CRYO_ALLOWED_ORIGINS', () => {
  const DASHBOARD = 'https://dash.example.com';
  let t: TestApp;
  let wsUrl: string;
  beforeAll(async () => {
    t = await startTestApp('memory', { production: true, allowedOrigins: [DASHBOARD] });
    wsUrl = t.graphqlUrl.replace(/^http/, 'ws');
  });
  afterAll(() => t?.close());

  it('a listed origin gets its preflight granted, its queries served and its WebSocket opened; others stay refused', async () => {
    const preflight = await fetch(t.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: DASHBOARD, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    const query = (origin: string) =>
      fetch(t.graphqlUrl, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    const allowed = await query(DASHBOARD);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect((await query(EVIL)).status).toBe(403);
    expect(await openSocket(wsUrl, DASHBOARD)).toBe('open');
    expect(await openSocket(wsUrl, EVIL)).toBe(403);
  });
});
