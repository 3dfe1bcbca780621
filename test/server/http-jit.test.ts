import { DEFAULT_AUTH } from '../../src/auth/auth-config.js';
import { FairUse } from '../../src/auth/fair-use.js';
import { ANONYMOUS } from '../../src/auth/identity.js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import type { CryoContext } from '../../src/schema/context.js';
import { twinStorage } from '../support/twin-storage.js';
import { LiveHub } from '../../src/live/live-hub.js';
import { createLogger } from '../../src/server/logger.js';
import { createCryoYoga } from '../../src/server/yoga.js';

// Compiled execution (server/jit-execute.ts) must answer exactly like the standard executor: the
// same operations are sent to two servers that differ only in that (compiling on first use), over
// storages with the same clock, and every HTTP status and body must be equal.

async function serve(production: boolean, jit: boolean, compiled: string[]): Promise<{ server: Server; url: string }> {
  const logger = createLogger('silent');
  const store = twinStorage();
  const context: CryoContext = Object.freeze({
    storage: store,
    live: new LiveHub(store),
    namespace: 'default',
    identity: ANONYMOUS,
    client: 'test',
    fairUse: new FairUse(DEFAULT_AUTH),
    limits: DEFAULT_LIMITS,
    logger,
  });
  const yoga = createCryoYoga({
    production,
    logger,
    queryLimits: DEFAULT_QUERY_LIMITS,
    createContext: () => context,
    jit: jit ? { compileAfter: 0, onCompile: (e) => compiled.push(`${e.operationName ?? '-'}:${e.compiled}`) } : false,
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

const RESULT = `__typename
  ... on AppendEntriesSuccess { replayed thread { id rev metadata createdAt updatedAt } entries { id threadId seq at kind payload refs } }
  ... on RevisionConflict { message expectedRev actualRev }
  ... on ValidationError { message field }`;
const APPEND = `mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { ${RESULT} } }`;
const THREAD = `query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $withMeta: Boolean!) {
  thread(id: $id) {
    id rev metadata @include(if: $withMeta) createdAt updatedAt
    entries(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...E } }
    }
  }
}
fragment E on Entry { id seq kind payload refs at threadId }`;

/** [query, variables, operationName?]: sent in this order to both servers. */
function operations(t: string): [string, Record<string, unknown>?, string?][] {
  const entry = (i: number, extra: Record<string, unknown> = {}) => ({ id: `${t}-e${i}`, kind: 'k', payload: { i, s: 'é🧊' }, ...extra });
  return [
    ['{ __typename }'],
    ['{ serverInfo { storage } }'],
    [APPEND, { input: { threadId: t, entries: [entry(0, { at: '2026-01-02T03:04:05.678+01:00', refs: { r: [1, null] } })], metadata: { m: 1 } } }],
    [APPEND, { input: { threadId: t, entries: [entry(1), entry(2), { kind: 'no-id' }].slice(0, 2), expectedRev: 1 } }],
    [APPEND, { input: { threadId: t, entries: [entry(9)], expectedRev: 1 } }],
    [APPEND, { input: { threadId: t, entries: [entry(1), entry(2)], expectedRev: 1 } }],
    [APPEND, { input: { threadId: t, entries: [{ id: `${t}-bad`, kind: 'not a kind!' }] } }],
    [APPEND, { input: { threadId: t, entries: [entry(3), entry(3)] } }],
    [APPEND, { input: { threadId: t, entries: [{}], expectedRev: 'three' } }],
    [APPEND, { input: { threadId: t, entries: [{}], expectedRev: 2 ** 31 } }],
    [APPEND, { input: { threadId: t, entries: [5] } }],
    [APPEND, { input: { threadId: t, entries: [{ payload: [1, 2] }] } }],
    [APPEND, { input: { threadId: t, entries: [{ refs: 'x' }] } }],
    [APPEND, { input: { threadId: t, entries: [{ at: '2026-02-30T00:00:00Z' }] } }],
    [APPEND, { input: { threadId: t, entries: [{ at: 'yesterday' }] } }],
    [APPEND, { input: { threadId: t, entries: [{}], metadata: 'm' } }],
    [APPEND, { input: { entries: [{}] } }],
    [APPEND, { input: { threadId: t, entries: [{}], extra: 1 } }],
    [APPEND, { input: null }],
    [APPEND, {}],
    [`mutation { appendEntries(input: { threadId: "${t}-lit", entries: [{ id: "l1", kind: "lit", payload: { x: 1, y: [true, null, "s"] } }] }) { ${RESULT} } }`],
    [THREAD, { id: t, first: 2, withMeta: true }],
    [THREAD, { id: t, last: 1, withMeta: false }],
    [THREAD, { id: t, first: 0, withMeta: true }],
    [THREAD, { id: t, after: 'not-a-cursor', withMeta: true }],
    [THREAD, { id: `${t}-none`, withMeta: true }],
    [THREAD, { id: 'boom', withMeta: true }],
    [THREAD, { id: 'down', withMeta: true }],
    ['query { a: thread(id: "boom") { id } b: serverInfo { storage } }'],
    ['query { threads(first: 10) { edges { cursor node { id rev } } pageInfo { hasNextPage endCursor } } }'],
    [
      'mutation Put($input: PutCheckpointInput!) { putCheckpoint(input: $input) { __typename ... on PutCheckpointSuccess { checkpoint { agentType agentId rev version state thread { id rev } createdAt updatedAt } } ... on Error { message } } }',
      { input: { agentType: 'a', agentId: t, state: { s: 1 }, thread: { id: t, rev: 3 }, expectedRev: 0 } },
    ],
    [
      'mutation Put($input: PutCheckpointInput!) { putCheckpoint(input: $input) { __typename ... on Error { message } ... on InvalidThreadPointer { pointerRev storedRev } } }',
      { input: { agentType: 'a', agentId: `${t}-2`, state: {}, thread: { id: t, rev: 99 } } },
    ],
    ['query C($t: String!) { checkpoint(agentType: "a", agentId: $t) { rev state thread { id rev } } }', { t }],
    ['mutation T($t: String!) { thaw(agentType: "a", agentId: $t) { __typename ... on Error { message } } }', { t }],
    ['query One { __typename } query Two { serverInfo { storage } }', {}, 'Two'],
    ['query One { __typename } query Two { serverInfo { storage } }', {}],
    ['query One { __typename } query Two { serverInfo { storage } }', {}, 'Three'],
    // Variables inside JSON literals (graphql-jit coerces scalar literals once, without variables).
    [`mutation NestedVar($v: JSON, $k: String) { appendEntries(input: { threadId: "${t}-v", entries: [{ id: "v1", kind: $k, payload: { a: $v, b: [$v, 1] } }] }) { ${RESULT} } }`, { v: { d: [1, 'x'] }, k: 'kk' }, 'NestedVar'],
    [`mutation NestedVarRefs($v: JSON) { appendEntries(input: { threadId: "${t}-v", entries: [{ id: "v2", refs: { a: $v } }] }) { ${RESULT} } }`, {}, 'NestedVarRefs'],
    [`mutation($e: EntryInput!, $n: Int = 0) { appendEntries(input: { threadId: "${t}-l", entries: $e, expectedRev: $n }) { ${RESULT} } }`, { e: { id: 'l1', kind: 'one' } }],
    [`mutation($e: EntryInput!, $n: Int = 0) { appendEntries(input: { threadId: "${t}-l", entries: $e, expectedRev: $n }) { ${RESULT} } }`, { e: { id: 'l2' }, n: null }],
    [
      `query($s: Boolean = true, $i: Boolean!) { thread(id: "${t}") { id @skip(if: $s) rev @include(if: $i) a: rev ...F ... { metadata } ... on Thread @include(if: false) { createdAt } } } fragment F on Thread { entries(first: 1) { totalCount } }`,
      { i: true },
    ],
    [`mutation { x: appendEntries(input: { threadId: "${t}", entries: [{}], expectedRev: 0 }) { ...Err } y: appendEntries(input: { threadId: "${t}", entries: [{ kind: "bad kind" }] }) { ...Err } } fragment Err on Error { __typename message ... on RevisionConflict { actualRev } }`],
    [`{ checkpoint(agentType: "a", agentId: "${t}") { rev thread { id thread { id rev } } } b: thread(id: "boom") { entries { totalCount } } }`],
    ['query($id: ID!) { thread(id: $id) { id } }', { id: 5 }],
    ['query($id: ID!) { thread(id: $id) { id } }', { id: 5.5 }],
    ['mutation D($id: ID!) { deleteThread(id: $id) { deleted } }', { id: t }],
    [THREAD, { id: t, withMeta: true }],
  ];
}

describe.each([true, false])('compiled execution answers like the standard executor (production %s)', (production) => {
  const compiled: string[] = [];
  let jit: { server: Server; url: string };
  let plain: { server: Server; url: string };
  beforeAll(async () => {
    jit = await serve(production, true, compiled);
    plain = await serve(production, false, []);
  });
  afterAll(async () => {
    for (const s of [jit, plain]) if (s) await new Promise((resolve) => s.server.close(resolve));
  });

  it('gives the same status and body for every operation', async () => {
    const t = `jit-${randomUUID()}`;
    const post = async (url: string, query: string, variables?: Record<string, unknown>, operationName?: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables, operationName }),
      });
      // Outside production an unexpected error carries its stack, which names the executor's frames.
      return { status: response.status, body: (await response.text()).replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":"…"') };
    };
    const statuses = new Set<number>();
    for (const [query, variables, operationName] of operations(t)) {
      const expected = await post(plain.url, query, variables, operationName);
      const actual = await post(jit.url, query, variables, operationName);
      expect({ query, variables, ...actual }).toEqual({ query, variables, ...expected });
      statuses.add(expected.status);
    }
    // The battery covers successes, typed errors, variable errors (400) and masked errors.
    expect([...statuses].sort()).toEqual([200, 400]);
    expect(compiled.length).toBeGreaterThanOrEqual(10);
    // Only documents with variables inside literals stay on the standard executor.
    expect(compiled.filter((c) => c.endsWith(':false'))).toEqual(['NestedVar:false', 'NestedVarRefs:false']);
  });
});
