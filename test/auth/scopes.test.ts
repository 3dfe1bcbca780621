import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, startAuthApp, type AuthApp } from './helpers.js';

/** Every root field, with the scope DESIGN maps it to and a call that is valid in a prepared namespace. */
const OPERATIONS: { name: string; scope: 'read' | 'write' | 'admin'; query: string }[] = [
  { name: 'thread', scope: 'read', query: '{ thread(id: "t0") { id rev } }' },
  { name: 'threads', scope: 'read', query: '{ threads { edges { node { id } } } }' },
  { name: 'checkpoint', scope: 'read', query: '{ checkpoint(agentType: "a", agentId: "x") { rev } }' },
  { name: 'checkpoints', scope: 'read', query: '{ checkpoints { edges { node { agentId } } } }' },
  { name: 'serverInfo', scope: 'read', query: '{ serverInfo { version } }' },
  { name: 'viewer', scope: 'read', query: '{ viewer { namespace } }' },
  { name: 'apiKeys', scope: 'admin', query: '{ apiKeys { edges { node { id } } } }' },
  { name: 'thaw', scope: 'read', query: 'mutation { thaw(agentType: "a", agentId: "x") { __typename } }' },
  { name: 'appendEntries', scope: 'write', query: 'mutation { appendEntries(input: { threadId: "new", entries: [{}] }) { __typename } }' },
  { name: 'putCheckpoint', scope: 'write', query: 'mutation { putCheckpoint(input: { agentType: "a", agentId: "new", state: {} }) { __typename } }' },
  { name: 'hibernate', scope: 'write', query: 'mutation { hibernate(input: { agentType: "h", agentId: "h", state: {} }) { __typename } }' },
  { name: 'deleteCheckpoint', scope: 'write', query: 'mutation { deleteCheckpoint(agentType: "a", agentId: "x") { deleted } }' },
  { name: 'deleteThread', scope: 'write', query: 'mutation { deleteThread(id: "t0") { deleted } }' },
  { name: 'trimThread', scope: 'write', query: 'mutation { trimThread(input: { threadId: "t0", beforeSeq: 1 }) { __typename } }' },
  { name: 'setThreadRetention', scope: 'write', query: 'mutation { setThreadRetention(input: { threadId: "t0", retention: { maxEntries: 5 } }) { __typename } }' },
  { name: 'createApiKey', scope: 'admin', query: 'mutation { createApiKey(input: { scopes: ["read"] }) { __typename } }' },
  { name: 'revokeApiKey', scope: 'admin', query: 'mutation { revokeApiKey(id: "0000000000000000") { deleted } }' },
];

const CREDENTIALS: { name: string; scopes: string[]; has: string[] }[] = [
  { name: 'read', scopes: ['read'], has: ['read'] },
  { name: 'write', scopes: ['write'], has: ['write'] },
  { name: 'read+write', scopes: ['read', 'write'], has: ['read', 'write'] },
  { name: 'admin', scopes: ['admin'], has: ['read', 'write', 'admin'] },
  { name: 'metrics', scopes: ['metrics'], has: [] },
];

const STATE = `{
  thread(id: "t0") { rev firstSeq retention { maxEntries } } fresh: thread(id: "new") { rev }
  x: checkpoint(agentType: "a", agentId: "x") { rev } n: checkpoint(agentType: "a", agentId: "new") { rev }
  h: checkpoint(agentType: "h", agentId: "h") { rev } apiKeys { edges { node { id } } }
}`;

describe('scope matrix: every root field × every scope, over HTTP, SSE and graphql-ws', () => {
  let server: AuthApp;
  beforeAll(async () => {
    server = await startAuthApp();
  });
  afterAll(() => server.close());

  for (const credential of CREDENTIALS) {
    it(`${credential.name}: allowed fields run, the others answer FORBIDDEN on that field and change nothing`, async () => {
      const ns = `scopes-${credential.name}`;
      const admin = await server.key(ns, ['admin']);
      await server.data(admin, 'mutation { appendEntries(input: { threadId: "t0", entries: [{}] }) { __typename } }');
      await server.data(admin, 'mutation { putCheckpoint(input: { agentType: "a", agentId: "x", state: {}, thread: { id: "t0", rev: 1 } }) { __typename } }');
      const token = await server.key(ns, credential.scopes);
      const before = (await server.data(admin, STATE)).apiKeys.edges.length;
      for (const op of OPERATIONS) {
        const { status, body } = await server.call(token, op.query);
        const allowed = credential.has.includes(op.scope);
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        expect({ op: op.name, status, codes }).toEqual({ op: op.name, status: 200, codes: allowed ? [] : ['FORBIDDEN'] });
        if (!allowed) {
          expect(body.errors![0]!.path).toEqual([op.name]);
          expect(body.errors![0]!.message).toContain(op.scope);
        }
      }
      const after = await server.data(admin, STATE);
      if (!credential.has.includes('write')) {
        expect(after).toMatchObject({ thread: { rev: 1, firstSeq: 0, retention: null }, fresh: null, x: { rev: 1 }, n: null, h: null });
      } else {
        expect(after).toMatchObject({ thread: null, fresh: { rev: 1 }, x: null, n: { rev: 1 }, h: { rev: 1 } });
      }
      expect(after.apiKeys.edges.length).toBe(before + (credential.has.includes('admin') ? 1 : 0));
    });

    it(`${credential.name}: subscriptions are checked when they start, over graphql-ws and SSE`, async () => {
      const ns = `scopes-sub-${credential.name}`;
      const token = await server.key(ns, credential.scopes);
      const admin = await server.key(ns, ['admin']);
      const allowed = credential.has.includes('read');
      const client = server.ws(token);
      await connected(client);
      const first = await firstResult(client, 'subscription { threadEntries(threadId: "s") { __typename } }');
      if (allowed) expect(first).toEqual({ data: { threadEntries: { __typename: 'CaughtUp' } } });
      else expect(codesOf(first)).toEqual(['FORBIDDEN']);
      const checkpoints = firstResult(client, 'subscription { checkpointEvents { __typename } }');
      if (allowed) {
        // No initial event: save checkpoints until the (asynchronously started) stream reports one.
        let got: unknown;
        void checkpoints.then((r) => (got = r));
        for (let i = 0; got === undefined && i < 500; i++) {
          await server.data(admin, `mutation { putCheckpoint(input: { agentType: "s", agentId: "${i}", state: {} }) { __typename } }`);
        }
        expect(await checkpoints).toEqual({ data: { checkpointEvents: { __typename: 'CheckpointSaved' } } });
      } else {
        expect(codesOf(await checkpoints)).toEqual(['FORBIDDEN']);
      }
      const sse = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'subscription { threadEntries(threadId: "s") { __typename } }' }),
      });
      const text = await readUntil(sse, allowed ? 'CaughtUp' : 'FORBIDDEN');
      expect(text).toContain(allowed ? 'CaughtUp' : 'FORBIDDEN');
    });
  }
});

function firstResult(client: Client, query: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const dispose = client.subscribe(
      { query },
      {
        next: (result) => {
          resolve(result);
          dispose();
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => {},
      },
    );
  });
}

function codesOf(result: { errors?: { extensions?: { code?: string } }[] }): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

/** Reads an SSE response until `marker` appears (or the stream ends), then cancels it. */
async function readUntil(response: Response, marker: string): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.includes(marker)) break;
  }
  await reader.cancel();
  return text;
}
