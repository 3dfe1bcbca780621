import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { defineConfig } from '../../src/config.js';
import type { Storage } from '../../src/storage/types.js';
import { eventually } from '../support/eventually.js';
import { twinStorage } from '../support/twin-storage.js';

// The fast lane (server/fast-lane.ts) answers common requests without Yoga's HTTP layer; it must
// answer exactly as Yoga does. Two servers that differ only in the lane get the same requests in
// the same order, over storages with the same clock, and every status, relevant header and body
// must be equal; the lane must also have answered most of them.

const SECRET = 'fast-lane-test-secret-0123456789abcdef';

interface Served {
  app: App;
  url: string;
  token: string;
  store: Storage;
}

async function serve(fastLane: boolean, production: boolean, requestsPerSecond = 0): Promise<Served> {
  const store = twinStorage();
  const app = await buildApp(
    defineConfig({
      port: 0,
      logLevel: 'silent',
      shutdownGraceMs: 2000,
      storage: 'memory:',
      production,
      auth: { mode: 'on', jwtSecret: SECRET, requestsPerSecond },
      // Input lists over 10 × 10 items are refused before coercion (server/input-list-limit.ts).
      limits: { maxEntriesPerAppend: 10 },
    }),
    { storage: store, dashboardDir: null, operationsDir: null, fastLane },
  );
  const { url } = await app.start();
  const { secret } = await issueApiKey(store, { namespace: 'lane', scopes: ['read', 'write'], label: 'test' });
  return { app, url: `${url}graphql`, token: secret, store };
}

interface Reply {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

const COMPARED_HEADERS = ['content-type', 'cache-control', 'retry-after', 'www-authenticate', 'allow', 'accept', 'access-control-allow-origin'];

async function post(s: Served, body: unknown, headers: Record<string, string> = {}, token: string | null = s.token): Promise<Reply> {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  }).catch((error: unknown) => {
    throw new Error(`no answer from ${s.app.fastLane ? 'the lane' : 'Yoga'} to ${JSON.stringify(body).slice(0, 200)} ${JSON.stringify(headers)}: ${String(error)}`);
  });
  const text = await response.text().catch((error: unknown) => {
    throw new Error(`no body from ${s.app.fastLane ? 'the lane' : 'Yoga'} (${response.status} ${JSON.stringify([...response.headers])}) to ${JSON.stringify(body).slice(0, 200)} ${JSON.stringify(headers)}: ${String(error)}`);
  });
  return {
    status: response.status,
    headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, response.headers.get(h)])),
    // Outside production an unexpected error carries its stack, which names different frames.
    // Entries sent without an id get a generated UUIDv7.
    body: text.replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"').replace(/"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"<uuid>"'),
  };
}

const RESULT = `__typename
  ... on AppendEntriesSuccess { replayed thread { id rev metadata createdAt updatedAt } entries { id threadId seq at kind payload refs } }
  ... on RevisionConflict { message expectedRev actualRev }
  ... on ValidationError { message field }`;
const APPEND = `mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { ${RESULT} } }`;
const THREAD = 'query Thread($id: ID!, $first: Int) { thread(id: $id) { id rev entries(first: $first) { totalCount edges { cursor node { id seq kind payload } } } } }';

/** Request bodies, each sent (twice) to both servers in this order. */
function bodies(t: string): unknown[] {
  const entry = (i: number) => ({ id: `${t}-e${i}`, kind: 'k', payload: { i, s: 'é🧊' } });
  return [
    { query: '{ __typename }' },
    { query: '{ serverInfo { storage } }', variables: null, operationName: null },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(0)], metadata: { m: 1 } } } },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(1)], expectedRev: 1 } }, operationName: 'Append' },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(9)], expectedRev: 0 } } },
    { query: APPEND, variables: { input: { threadId: t, entries: [{ id: `${t}-bad`, kind: 'not a kind!' }] } } },
    { query: APPEND, variables: { input: { threadId: t, entries: [{}], expectedRev: 'three' } } },
    { query: APPEND, variables: { input: { threadId: t, entries: Array.from({ length: 11 }, () => ({})) } } },
    { query: APPEND, variables: { input: { threadId: t, entries: Array.from({ length: 101 }, () => ({})) } } },
    { query: APPEND, variables: {} },
    { query: APPEND, variables: [] },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(2)] } }, operationName: 'Nope' },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(2)] } }, extensions: {} },
    { query: APPEND, variables: { input: { threadId: t, entries: [entry(2)] } }, extra: 1 },
    { query: THREAD, variables: { id: t, first: 2 } },
    { query: THREAD, variables: { id: t, first: 0 } },
    { query: THREAD, variables: { id: 'boom' } },
    { query: THREAD, variables: { id: 'down' } },
    { query: 'query One { __typename } query Two { serverInfo { storage } }', operationName: 'Two' },
    { query: 'query One { __typename } query Two { serverInfo { storage } }' },
    { query: 'query One { __typename } query Two { serverInfo { storage } }', operationName: 5 },
    { query: '{ thread(id: "x") { nope } }' },
    { query: '{ thread(id: ' },
    { query: '' },
    { query: `mutation { a: deleteThread(id: "${t}-none") { deleted } }` },
    '{"query": "{ __typename }"',
    '[{"query": "{ __typename }"}]',
  ];
}

/** Accept headers: none, each media type, both orders, a wildcard, and ones Yoga answers otherwise. */
const ACCEPTS: (string | null)[] = [
  null,
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json',
  'application/json;q=0.9, application/graphql-response+json',
  '*/*',
  'text/event-stream',
  'text/html',
  '*/json',
  'application/json; charset=latin1',
];

describe.each([false, true])('the fast lane answers as Yoga does (production %s)', (production) => {
  let lane: Served;
  let plain: Served;
  beforeAll(async () => {
    lane = await serve(true, production);
    plain = await serve(false, production);
  });
  afterAll(async () => {
    await lane?.app.stop();
    await plain?.app.stop();
  });

  it('gives the same status, headers and body for every request, and answers most of them itself', { timeout: 120_000 }, async () => {
    const t = `lane-${randomUUID()}`;
    let sent = 0;
    const statuses = new Set<number>();
    const all = bodies(t);
    // Every Accept and Content-Type variant for a success, a typed error and refused variables;
    // the usual ones for the rest.
    const everyVariant = new Set([all[0], all[2], all[5], all[6]]);
    for (const body of all) {
      const accepts = everyVariant.has(body) ? ACCEPTS : ACCEPTS.slice(0, 4);
      const contentTypes = everyVariant.has(body) ? ['application/json', 'application/json; charset=utf-8'] : ['application/json'];
      for (const accept of accepts) {
        for (const contentType of contentTypes) {
          const headers = { 'content-type': contentType, ...(accept === null ? {} : { accept }) };
          for (let round = 0; round < 2; round++) {
            const expected = await post(plain, body, headers);
            const actual = await post(lane, body, headers);
            expect({ sent: body, sentHeaders: headers, round, ...actual }).toEqual({ sent: body, sentHeaders: headers, round, ...expected });
            statuses.add(expected.status);
            sent++;
          }
        }
      }
    }
    // Successes, typed errors, refused variables (400 by media type), refusals of every kind.
    expect([...statuses].sort()).toEqual([200, 400, 406]);
    expect(plain.app.fastLane).toBeNull();
    // Well over a third of these requests qualify; the lane answered them (the rest went to Yoga).
    expect(lane.app.fastLane!.served).toBeGreaterThan(sent / 3);
  });

  it('leaves unknown and missing credentials to Yoga, and answers 401 alike', async () => {
    const before = lane.app.fastLane!.served;
    for (const token of [null, 'cryo_nope', 'not a token']) {
      for (let round = 0; round < 2; round++) {
        const expected = await post(plain, { query: '{ __typename }' }, {}, token);
        const actual = await post(lane, { query: '{ __typename }' }, {}, token);
        expect(actual).toEqual(expected);
        expect(actual.status).toBe(401);
      }
    }
    expect(lane.app.fastLane!.served).toBe(before);
  });

  it('stops answering a revoked key at once: the next request goes to Yoga and is refused', async () => {
    const { record, secret } = await issueApiKey(lane.store, { namespace: 'lane', scopes: ['read'], label: 'revoked' });
    expect((await post(lane, { query: '{ __typename }' }, {}, secret)).status).toBe(200);
    const before = lane.app.fastLane!.served;
    expect((await post(lane, { query: '{ __typename }' }, {}, secret)).status).toBe(200);
    expect(lane.app.fastLane!.served).toBe(before + 1);
    await lane.store.revokeApiKey({ namespace: 'lane', id: record.id });
    await eventually(async () => expect((await post(lane, { query: '{ __typename }' }, {}, secret)).status).toBe(401));
  });

  it('keeps tenants apart: a key of another namespace does not see the thread', async () => {
    const t = `lane-tenant-${randomUUID()}`;
    const append = { query: APPEND, variables: { input: { threadId: t, entries: [{ id: 'a', kind: 'k' }] } } };
    for (let i = 0; i < 3; i++) expect((await post(lane, append)).status).toBe(200);
    const { secret: other } = await issueApiKey(lane.store, { namespace: 'other', scopes: ['read', 'write'], label: 'other' });
    const read = { query: THREAD, variables: { id: t } };
    const mine = JSON.parse((await post(lane, read)).body);
    expect(mine.data.thread.rev).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const theirs = JSON.parse((await post(lane, read, {}, other)).body);
      expect(theirs).toEqual({ data: { thread: null } });
    }
  });
});

describe('the fast lane and fair use', () => {
  let lane: Served;
  let plain: Served;
  beforeAll(async () => {
    lane = await serve(true, false, 1);
    plain = await serve(false, false, 1);
  });
  afterAll(async () => {
    await lane?.app.stop();
    await plain?.app.stop();
  });

  it('takes one token per request and refuses past the rate with the same 429', async () => {
    const body = { query: '{ __typename }' };
    // The first request proves the document (through Yoga) and spends the only token of the second.
    const [plainFirst, laneFirst] = [await post(plain, body), await post(lane, body)];
    const [plainSecond, laneSecond] = [await post(plain, body), await post(lane, body)];
    expect(laneFirst).toEqual(plainFirst);
    expect(laneFirst.status).toBe(200);
    expect(laneSecond).toEqual(plainSecond);
    expect(laneSecond.status).toBe(429);
    expect(laneSecond.headers['retry-after']).toMatch(/^\d+$/);
    expect(lane.app.fastLane!.served).toBe(1);
  });
});
