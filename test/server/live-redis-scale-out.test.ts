import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { startRedisCluster } from '../support/redis-cluster.js';
import { CAN_OWN_REDIS, startRedis } from '../support/redis-server.js';
import { APPEND, range, wsClient } from './live-helpers.js';
import { ResumingSubscriber } from './resuming-subscriber.js';
import { eventually } from '../support/eventually.js';

const TIMEOUT = 1000;
// Generous: the machine is shared; the point is "bounded", not a latency target.
const SLACK = 1000;

/** What these tests need of a Redis they own: standalone or a 3-master cluster, both persistent. */
interface OwnRedis {
  url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const SETUPS: [string, () => Promise<OwnRedis>][] = [
  ['one Redis', () => startRedis({ persistent: true, ownServer: true })],
  ['one Redis Cluster (3 masters)', () => startRedisCluster({ persistent: true, ownServer: true })],
];

// Starts its own servers even when REDIS_URL is set: it kills and restarts them.
describe.skipIf(!CAN_OWN_REDIS).each(SETUPS)('two app instances on %s', (_name, setup) => {
  let redis: OwnRedis;
  const storages: Storage[] = [];
  const apps: TestApp[] = [];
  const clients: Client[] = [];
  const ws = (app: TestApp): Client => {
    const client = wsClient(app.graphqlUrl);
    clients.push(client);
    return client;
  };
  const append = async (app: TestApp, threadId: string, entries: object[], expectedRev?: number) => {
    const data = await app.data(APPEND, { input: { threadId, entries, expectedRev } });
    return data.appendEntries as { __typename: string; thread?: { rev: number }; entries?: { seq: number }[] };
  };

  beforeAll(async () => {
    redis = await setup();
    for (let i = 0; i < 2; i++) {
      const storage = await createRedisStorage({ url: redis.url, commandTimeoutMs: TIMEOUT });
      storages.push(storage);
      apps.push(await startTestApp('memory', {}, { storage }));
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    for (const app of apps) await app.close();
    for (const storage of storages) await storage.close();
    await redis?.close();
  });

  it('builds from the storage URL', async () => {
    const app = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: redis.url }), {
      dashboardDir: null,
      operationsDir: null,
    });
    try {
      await app.start();
      expect(app.storage.kind).toBe('redis');
      await app.storage.ping();
    } finally {
      await app.stop();
    }
  });

  it('writers on both and subscribers on both: everyone receives every entry once, in order', async () => {
    const threadId = freshId('scale');
    const [a, b] = apps as [TestApp, TestApp];
    const subscribers = [a, a, b, b].map((app) => new ResumingSubscriber(ws(app), threadId));
    // Subscribed before the thread exists: each stream starts with CaughtUp, then follows.
    const total = 300;
    let written = 0;
    const writer = async (app: TestApp, seed: number) => {
      let n = seed;
      while (written < total) {
        n = (n * 7 + 3) % 5;
        const count = Math.min(total - written, 1 + n);
        written += count;
        const result = await append(app, threadId, Array.from({ length: count }, () => ({ kind: 'test' })));
        expect(result.__typename).toBe('AppendEntriesSuccess');
      }
    };
    await Promise.all([writer(a, 1), writer(b, 2), writer(a, 3), writer(b, 4)]);
    for (const subscriber of subscribers) {
      await subscriber.until((s) => s.seqs.length >= total);
      expect(subscriber.seqs).toEqual(range(0, total));
      expect(subscriber.errors).toEqual([]);
      expect(subscriber.resumes).toBe(0);
      subscriber.stop();
    }
  });

  it('50 racing appends with one expectedRev split across both instances: exactly one wins', async () => {
    const threadId = freshId('race');
    const [a, b] = apps as [TestApp, TestApp];
    await append(a, threadId, [{}, {}, {}]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => append(i % 2 ? a : b, threadId, [{ id: `race-${i}` }], 3)),
    );
    expect(results.filter((r) => r.__typename === 'AppendEntriesSuccess')).toHaveLength(1);
    expect(results.filter((r) => r.__typename === 'RevisionConflict')).toHaveLength(49);
    const head = await b.data(`{ thread(id: ${JSON.stringify(threadId)}) { rev } }`);
    expect(head.thread.rev).toBe(4);
  });

  it('Redis is killed mid-run: bounded STORAGE_UNAVAILABLE and /ready 503; it returns: recovery, no gaps, nothing lost', async () => {
    const threadId = freshId('outage');
    const [a, b] = apps as [TestApp, TestApp];
    const subscribers = [a, b].map((app) => new ResumingSubscriber(ws(app), threadId));
    const acknowledged: string[] = [];
    const write = async (app: TestApp, id: string) => {
      // Exactly-once: the same id and expectedRev until acknowledged (a replay counts as success).
      const result = await append(app, threadId, [{ id }], acknowledged.length);
      expect(result.__typename).toBe('AppendEntriesSuccess');
      acknowledged.push(id);
    };
    for (let i = 0; i < 20; i++) await write(i % 2 ? a : b, `before-${i}`);
    await Promise.all(subscribers.map((s) => s.until((x) => x.seqs.length >= 20)));

    await redis.kill();
    for (const app of [a, b]) {
      for (const query of [
        `{ thread(id: ${JSON.stringify(threadId)}) { rev } }`,
        '{ threads(first: 5) { edges { node { id } } } }',
        `mutation { appendEntries(input: { threadId: ${JSON.stringify(threadId)}, entries: [{ id: "x" }], expectedRev: 20 }) { __typename } }`,
        'mutation { putCheckpoint(input: { agentType: "a", agentId: "b", state: {} }) { __typename } }',
      ]) {
        const started = performance.now();
        const { status, body } = await app.gql(query);
        expect(performance.now() - started).toBeLessThan(TIMEOUT + SLACK);
        expect(status).toBe(200);
        expect(body.errors?.[0]?.extensions?.code).toBe('STORAGE_UNAVAILABLE');
      }
      const started = performance.now();
      expect((await fetch(`${app.url}ready`)).status).toBe(503);
      expect(performance.now() - started).toBeLessThan(TIMEOUT + SLACK);
    }

    await redis.start();
    for (const app of [a, b]) {
      await eventually(async () => {
        const response = await fetch(`${app.url}ready`);
        if (response.status !== 200) throw new Error(`ready: ${response.status}`);
      }, 15_000);
    }
    for (let i = 0; i < 20; i++) await write(i % 2 ? b : a, `after-${i}`);
    for (const subscriber of subscribers) {
      await subscriber.until((s) => s.seqs.length >= 40);
      expect(subscriber.seqs).toEqual(range(0, 40));
      // The stream survives in place: the feed's recovery makes the live layer re-read storage.
      expect(subscriber.errors).toEqual([]);
      expect(subscriber.resumes).toBe(0);
      subscriber.stop();
    }
    const stored = await a.data(
      `{ thread(id: ${JSON.stringify(threadId)}) { rev entries(first: 100) { edges { node { id seq } } } } }`,
    );
    expect(stored.thread.rev).toBe(40);
    expect(stored.thread.entries.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(acknowledged);
  });
});
