import type { Client } from 'graphql-ws';
import { createClient as createRedisClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAN_OWN_REDIS, startRedis, type TestRedis } from '../support/redis-server.js';
import { connected, hsJwt, openTestStorage, startAuthApp, type AuthApp, type AuthStorageKind } from './helpers.js';

const LIVE = `subscription($fromSeq: Int) { threadEntries(threadId: "shared", fromSeq: $fromSeq) {
  __typename ... on Entry { seq payload } ... on CaughtUp { rev } } }`;
const CHECKPOINTS = 'subscription { checkpointEvents { __typename ... on CheckpointSaved { checkpoint { agentId state } } ... on CheckpointDeleted { agentId } } }';
const APPEND = `mutation($id: ID!, $owner: String!, $n: Int!, $expectedRev: Int) {
  appendEntries(input: { threadId: $id, expectedRev: $expectedRev, entries: [{ payload: { owner: $owner, n: $n } }] }) {
    __typename ... on RevisionConflict { message expectedRev actualRev } } }`;
const PUT = `mutation($agentId: String!, $owner: String!, $rev: Int!) {
  putCheckpoint(input: { agentType: "agent", agentId: $agentId, state: { owner: $owner }, thread: { id: "shared", rev: $rev } }) {
    __typename ... on Error { message } ... on InvalidThreadPointer { storedRev } } }`;
const READS = `{
  viewer { namespace }
  thread(id: "shared") { rev entries(first: 50) { edges { node { payload } } } }
  threads { edges { node { id rev } } }
  checkpoint(agentType: "agent", agentId: "one") { state thread { id rev thread { rev } } }
  checkpoints { edges { node { agentId state } } }
}`;

class Stream {
  readonly events: any[] = [];
  readonly errors: unknown[] = [];
  #waiters: (() => void)[] = [];
  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    client.subscribe(
      { query, variables },
      {
        next: (r: any) => {
          if (r.errors) this.errors.push(...r.errors);
          if (r.data) this.events.push(Object.values(r.data)[0]);
          for (const w of this.#waiters.splice(0)) w();
        },
        error: (e) => this.errors.push(e),
        complete: () => {},
      },
    );
  }
  async until(check: (events: any[]) => boolean): Promise<void> {
    while (!check(this.events)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

const KINDS: AuthStorageKind[] = ['memory', 'file', 'sqlite', 'redis', 'postgres'];

describe.each(KINDS)('tenant isolation on %s storage: same ids, two namespaces, nothing crosses', (kind) => {
  let redis: TestRedis | undefined;
  let server: AuthApp;
  let cleanup: () => Promise<void>;
  let a: string;
  let aAdmin: string;
  let b: string;

  beforeAll(async () => {
    if (kind === 'redis') {
      if (!CAN_OWN_REDIS && !process.env['REDIS_URL']) return;
      redis = await startRedis();
    }
    const opened = await openTestStorage(kind, redis?.url);
    cleanup = opened.cleanup;
    server = await startAuthApp({ storage: opened.storage });
    a = await server.key('tenant-a', ['read', 'write']);
    aAdmin = await server.key('tenant-a', ['admin']);
    b = await hsJwt({ ns: 'tenant-b', scope: 'admin' });
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
    await redis?.close();
  });

  it('reads, lists, live events, checkpoint events, errors and deletes stay within each tenant', async (ctx) => {
    if (!server) return ctx.skip();
    const [wsA, wsB] = [server.ws(a), server.ws(b)];
    await Promise.all([connected(wsA), connected(wsB)]);
    const liveA = new Stream(wsA, LIVE, { fromSeq: 0 });
    const liveB = new Stream(wsB, LIVE, { fromSeq: 0 });
    const cpB = new Stream(wsB, CHECKPOINTS);
    await liveA.until((e) => e.some((x) => x.__typename === 'CaughtUp'));
    await liveB.until((e) => e.some((x) => x.__typename === 'CaughtUp'));

    for (let n = 0; n < 3; n++) await server.data(a, APPEND, { id: 'shared', owner: 'A', n });
    await server.data(a, APPEND, { id: 'only-a', owner: 'A', n: 0 });
    expect((await server.data(a, PUT, { agentId: 'one', owner: 'A', rev: 3 })).putCheckpoint.__typename).toBe('PutCheckpointSuccess');
    expect((await server.data(a, PUT, { agentId: 'two', owner: 'A', rev: 2 })).putCheckpoint.__typename).toBe('PutCheckpointSuccess');
    // B's first checkpoint save must wait for B's thread: the pointer names B's (missing) thread.
    const early = (await server.data(b, PUT, { agentId: 'one', owner: 'B', rev: 1 })).putCheckpoint;
    expect(early).toMatchObject({ __typename: 'InvalidThreadPointer', storedRev: 0 });
    expect(early.message).not.toMatch(/\b3\b/);
    await server.data(b, APPEND, { id: 'shared', owner: 'B', n: 0 });
    // CheckpointEvents of B may start asynchronously: B saves until its stream reports a save.
    for (let i = 0; cpB.events.length === 0 && i < 200; i++) await server.data(b, PUT, { agentId: 'one', owner: 'B', rev: 1 });
    await liveB.until((e) => e.some((x) => x.__typename === 'Entry'));
    await liveA.until((e) => e.filter((x) => x.__typename === 'Entry').length === 3);

    // Live: each tenant sees exactly its own entries and checkpoint saves.
    expect(liveB.events.filter((x) => x.__typename === 'Entry').map((x) => x.payload.owner)).toEqual(['B']);
    expect(liveA.events.filter((x) => x.__typename === 'Entry').map((x) => x.payload.owner)).toEqual(['A', 'A', 'A']);
    expect(cpB.events.every((x) => x.checkpoint.state.owner === 'B')).toBe(true);
    expect([...liveA.errors, ...liveB.errors, ...cpB.errors]).toEqual([]);

    // Reads and listings.
    const readsA = await server.data(a, READS);
    const readsB = await server.data(b, READS);
    expect(readsA.viewer.namespace).toBe('tenant-a');
    expect(readsB.viewer.namespace).toBe('tenant-b');
    expect(readsA.thread.rev).toBe(3);
    expect(readsB.thread).toEqual({ rev: 1, entries: { edges: [{ node: { payload: { owner: 'B', n: 0 } } }] } });
    expect(readsA.threads.edges.map((e: any) => e.node.id)).toEqual(['only-a', 'shared']);
    expect(readsB.threads.edges.map((e: any) => e.node)).toEqual([{ id: 'shared', rev: 1 }]);
    expect(readsA.checkpoint).toEqual({ state: { owner: 'A' }, thread: { id: 'shared', rev: 3, thread: { rev: 3 } } });
    expect(readsB.checkpoint).toEqual({ state: { owner: 'B' }, thread: { id: 'shared', rev: 1, thread: { rev: 1 } } });
    expect(readsB.checkpoints.edges.map((e: any) => e.node)).toEqual([{ agentId: 'one', state: { owner: 'B' } }]);

    // Errors speak of the caller's own data only.
    const conflict = (await server.data(b, APPEND, { id: 'shared', owner: 'B', n: 1, expectedRev: 3 })).appendEntries;
    expect(conflict).toMatchObject({ __typename: 'RevisionConflict', expectedRev: 3, actualRev: 1 });
    const thawB = (await server.data(b, 'mutation { thaw(agentType: "agent", agentId: "two") { __typename ... on Error { message } } }')).thaw;
    expect(thawB.__typename).toBe('CheckpointNotFound');
    const thawA = (await server.data(a, 'mutation { thaw(agentType: "agent", agentId: "one") { __typename ... on ThawSuccess { thread { rev } } } }')).thaw;
    expect(thawA).toEqual({ __typename: 'ThawSuccess', thread: { rev: 3 } });
    const hib = `mutation { hibernate(input: { agentType: "agent", agentId: "one", state: { owner: "B2" }, thread: { id: "shared", rev: 1, entries: [] } }) { __typename } }`;
    expect((await server.data(b, hib)).hibernate.__typename).toBe('HibernateSuccess');
    expect((await server.data(a, READS)).checkpoint.state).toEqual({ owner: 'A' });

    // Deletes of the other tenant's ids do nothing to it.
    expect((await server.data(b, 'mutation { deleteThread(id: "only-a") { deleted } }')).deleteThread.deleted).toBe(false);
    expect((await server.data(b, 'mutation { deleteCheckpoint(agentType: "agent", agentId: "two") { deleted } }')).deleteCheckpoint.deleted).toBe(false);
    expect((await server.data(a, '{ thread(id: "only-a") { rev } checkpoint(agentType: "agent", agentId: "two") { rev } }'))).toEqual({
      thread: { rev: 1 },
      checkpoint: { rev: 1 },
    });
    expect((await server.data(b, 'mutation { deleteThread(id: "shared") { deleted } }')).deleteThread.deleted).toBe(true);
    await liveB.until((e) => e.some((x) => x.__typename === 'ThreadDeleted'));
    expect((await server.data(a, '{ thread(id: "shared") { rev } }')).thread.rev).toBe(3);
    expect(liveA.events.some((x) => x.__typename === 'ThreadDeleted')).toBe(false);

    // API keys: listed and revocable only within the namespace.
    const keysA = (await server.data(aAdmin, '{ apiKeys { edges { node { id namespace } } } }')).apiKeys.edges.map((e: any) => e.node);
    expect(keysA.length).toBe(2);
    expect(keysA.every((k: any) => k.namespace === 'tenant-a')).toBe(true);
    expect((await server.data(b, '{ apiKeys { edges { node { id } } } }')).apiKeys.edges).toEqual([]);
    for (const { id } of keysA) {
      expect((await server.data(b, `mutation { revokeApiKey(id: "${id}") { deleted } }`)).revokeApiKey.deleted).toBe(false);
    }
    expect((await server.data(a, '{ viewer { namespace } }')).viewer.namespace).toBe('tenant-a');

    if (redis) {
      // One channel per (namespace, thread): the two tenants' "shared" threads never share one.
      const raw = createRedisClient({ url: redis.url });
      await raw.connect();
      try {
        const channels = (await raw.sendCommand(['PUBSUB', 'CHANNELS', '*'])) as string[];
        const b64 = (s: string) => Buffer.from(s).toString('base64url');
        const shared = channels.filter((c) => c.includes(`:${b64('shared')}}`));
        expect(shared.some((c) => c.includes(b64('tenant-a')))).toBe(true);
        expect(shared.some((c) => c.includes(b64('tenant-b')))).toBe(false); // B's stream ended with its thread
        expect(channels.filter((c) => c.includes(b64('tenant-b'))).every((c) => !c.includes(b64('tenant-a')))).toBe(true);
      } finally {
        await raw.close();
      }
    }
  });
});
