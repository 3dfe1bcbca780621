import { randomBytes } from 'node:crypto';
import { createCluster } from 'redis';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterRootNodes, createRedisStorage } from '../../src/storage/redis/index.js';
import { hashSlot, redisKeys } from '../../src/storage/redis/keys.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { describeStorageConformance, EventLog, rid } from 'cryo/storage/conformance';

let cluster: Promise<TestRedisCluster> | undefined;
const started = (): Promise<TestRedisCluster> => (cluster ??= startRedisCluster());
const prefix = `cryo-test-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await (await cluster)?.close();
});

describeStorageConformance('redis cluster', async ({ limits }) => ({
  storage: await createRedisStorage({ url: (await started()).url, limits, keyPrefix: prefix }),
}));

describe('redis cluster specifics', () => {
  it('puts one thread in one slot and spreads threads over the masters', async () => {
    const { url } = await started();
    const client = createCluster({ rootNodes: clusterRootNodes({ url })!.map((u) => ({ url: u })) });
    client.on('error', () => {});
    await client.connect();
    try {
      const keys = redisKeys(prefix);
      const slot = async (key: string): Promise<number> => Number(await client.sendCommand(key, true, ['CLUSTER', 'KEYSLOT', key]));
      const slots = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const [ns, id] = [`{n${i}:`, `}t${i}{`];
        const head = await slot(keys.threadHead(ns, id));
        expect(await slot(keys.threadLog(ns, id))).toBe(head);
        expect(await slot(keys.threadChannel(ns, id))).toBe(head);
        expect(await slot(keys.checkpointIndex(ns))).toBe(await slot(keys.checkpoints(ns)));
        slots.add(head);
      }
      expect(slots.size).toBeGreaterThan(10);
    } finally {
      await client.close();
    }
  });

  it('computes the slot of every key as the cluster does (the append group commit batches by slot)', async () => {
    const { url } = await started();
    const client = createCluster({ rootNodes: clusterRootNodes({ url })!.map((u) => ({ url: u })) });
    client.on('error', () => {});
    await client.connect();
    try {
      const keys = redisKeys(prefix);
      const samples = [['default', 't'], ['{ns}', '}{x'], ['é', '🧊}'], ['a:b', 'c']].flatMap(([ns, id]) => [
        keys.threadHead(ns!, id!),
        keys.checkpoints(ns!),
        keys.retentionIndex(),
      ]);
      samples.push('no-tag', '{}empty-tag', 'a{b}c{d}', '{', 'x}{y}');
      for (let i = 0; i < 50; i++) samples.push(keys.threadHead(`ns${i}`, `t${i * 7919}`));
      for (const key of samples) expect(hashSlot(key)).toBe(Number(await client.sendCommand(key, true, ['CLUSTER', 'KEYSLOT', key])));
    } finally {
      await client.close();
    }
  });

  it('indexes threads created and deleted in a race (index and thread live in different slots)', async () => {
    const { url } = await started();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          ids.flatMap((threadId) => [
            a.appendEntries({ namespace, threadId, entries: [{}] }),
            b.deleteThread({ namespace, threadId }),
            b.appendEntries({ namespace, threadId, entries: [{}] }),
          ]),
        );
        const existing: string[] = [];
        for (const threadId of ids) if (await a.getThread({ namespace, threadId })) existing.push(threadId);
        const listed = (await a.listThreads({ namespace, first: 50 })).items.map((t) => t.id);
        expect(listed).toEqual(existing);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('delivers an append on one instance to a subscriber on another (sharded pub/sub)', async () => {
    const { url } = await started();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      const statuses: boolean[] = [];
      b.changes.onStatus?.((healthy) => statuses.push(healthy));
      const log = new EventLog();
      const stop = await b.changes.subscribeThread(namespace, threadId, log.listener);
      await a.appendEntries({ namespace, threadId, entries: [{}, {}] });
      expect(await log.waitFor((e) => e.type === 'thread-appended')).toEqual({ type: 'thread-appended', namespace, threadId, rev: 2 });
      await stop();
      // Shards' pub/sub clients come and go with their channels: that is not an outage.
      for (let i = 0; i < 10; i++) await (await b.changes.subscribeThread(namespace, rid('t'), () => {}))();
      const again = await b.changes.subscribeThread(namespace, threadId, log.listener);
      await a.appendEntries({ namespace, threadId, entries: [{}] });
      await log.waitFor((e) => e.type === 'thread-appended' && e.rev === 3);
      await again();
      expect(statuses).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// Runs last in this file: it kills and restarts the whole cluster (nothing is persisted).
describe.skipIf(process.env.REDIS_CLUSTER_URL !== undefined)('redis cluster outage', () => {
  it('ping (and so /ready) fails while one master is down, and passes again once it is back', async () => {
    const nodes = await started();
    const timeout = 500;
    const storage = await createRedisStorage({ url: nodes.url, keyPrefix: prefix, commandTimeoutMs: timeout });
    try {
      await storage.ping();
      await nodes.kill([1]);
      const began = performance.now();
      await expect(storage.ping()).rejects.toBeInstanceOf(StorageUnavailable);
      expect(performance.now() - began).toBeLessThan(timeout + 1000);
      await nodes.start();
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await storage.ping();
          break;
        } catch (error) {
          expect(error).toBeInstanceOf(StorageUnavailable);
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    } finally {
      await storage.close();
    }
  });

  it('fails every call fast while the cluster is down, and recovers by itself', async () => {
    const nodes = await started();
    const timeout = 500;
    const storage = await createRedisStorage({ url: nodes.url, keyPrefix: prefix, commandTimeoutMs: timeout });
    try {
      const namespace = rid('ns');
      await storage.appendEntries({ namespace, threadId: rid('t'), entries: [{}] });
      await nodes.kill();
      const calls: (() => Promise<unknown>)[] = [
        () => storage.ping(),
        () => storage.appendEntries({ namespace, threadId: rid('t'), entries: [{}] }),
        () => storage.getThread({ namespace, threadId: rid('t') }),
        () => storage.listThreads({ namespace }),
        () => storage.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {} }),
      ];
      for (const call of calls) {
        const started = performance.now();
        await expect(call()).rejects.toBeInstanceOf(StorageUnavailable);
        expect(performance.now() - started).toBeLessThan(timeout + 1000);
      }
      await nodes.start();
      const threadId = rid('t');
      const deadline = Date.now() + 15_000;
      // Exactly-once retry (same id, expectedRev 0) until the cluster answers again.
      for (;;) {
        try {
          await storage.appendEntries({ namespace, threadId, entries: [{ id: 'back' }], expectedRev: 0 });
          break;
        } catch (error) {
          expect(error).toBeInstanceOf(StorageUnavailable);
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      expect((await storage.listThreads({ namespace })).items.map((t) => t.id)).toEqual([threadId]);
    } finally {
      await storage.close();
    }
  });
});
