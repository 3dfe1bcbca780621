import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import type { Storage } from '../../src/storage/types.js';
import { CAN_OWN_REDIS, freePort, startRedis, type TestRedis } from '../support/redis-server.js';
import { rid } from 'cryo/storage/conformance';
import { eventually } from '../support/eventually.js';

const TIMEOUT = 400;
// Generous: the machine is shared; the point is "bounded", not a latency target.
const SLACK = 1000;
const prefix = `cryo-test-${randomBytes(4).toString('hex')}`;

/** Runs `call`, expects StorageUnavailable, and returns how long it took. */
async function failsFast(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const error = await call().then(
    () => new Error('expected StorageUnavailable, got success'),
    (e: unknown) => e,
  );
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(StorageUnavailable);
  expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  expect(elapsed).toBeLessThan(TIMEOUT + SLACK);
  return elapsed;
}

// Starts its own redis-server even when REDIS_URL is set: it must stop and restart it.
describe.skipIf(!CAN_OWN_REDIS)('redis outages', () => {
  let redis: TestRedis;
  let storage: Storage;

  beforeAll(async () => {
    redis = await startRedis({ persistent: true, ownServer: true });
    storage = await createRedisStorage({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: TIMEOUT });
  });

  afterAll(async () => {
    await storage?.close();
    await redis?.close();
  });

  const everyCall = (namespace: string, threadId: string): (() => Promise<unknown>)[] => [
    () => storage.ping(),
    () => storage.appendEntries({ namespace, threadId, entries: [{}] }),
    () => storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }),
    () => storage.readTail({ namespace, threadId, limit: 10 }),
    () => storage.getThread({ namespace, threadId }),
    () => storage.listThreads({ namespace }),
    () => storage.deleteThread({ namespace, threadId: rid('t') }),
    () => storage.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {} }),
    () => storage.getCheckpoint({ namespace, agentType: 'a', agentId: 'b' }),
    () => storage.listCheckpoints({ namespace }),
    () => storage.changes.subscribeThread(namespace, rid('t'), () => {}),
  ];

  it('fails every call fast while Redis is down, recovers by itself, and loses no acknowledged entry', async () => {
    const namespace = rid('ns');
    const threadId = rid('t');
    const statuses: boolean[] = [];
    const back = new Promise<void>((resolve) => {
      storage.changes.onStatus?.((healthy) => {
        statuses.push(healthy);
        if (healthy) resolve();
      });
    });
    const stopFeed = await storage.changes.subscribeThread(namespace, threadId, () => {});

    // A writer that retries each append with the same expectedRev and ids until acknowledged.
    const acknowledged: string[] = [];
    let stopWriter = false;
    let killed: Promise<void> | null = null;
    const writer = (async () => {
      while (!stopWriter) {
        const id = `e${acknowledged.length}`;
        try {
          await storage.appendEntries({ namespace, threadId, entries: [{ id }], expectedRev: acknowledged.length });
          acknowledged.push(id);
          if (acknowledged.length === 30) killed = redis.kill();
        } catch (error) {
          expect(error).toBeInstanceOf(StorageUnavailable);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    })();
    await eventually(async () => {
      if (!killed) throw new Error('not yet');
      await killed;
    });

    for (const call of everyCall(namespace, threadId)) await failsFast(call);
    expect(statuses).toContain(false);

    await redis.start();
    await back;
    // The feed reports recovery only once the command connection answers as well.
    await storage.ping();
    const ackedAtRestart = acknowledged.length;
    await eventually(async () => {
      if (acknowledged.length < ackedAtRestart + 5) throw new Error('writer not yet resumed');
    });
    stopWriter = true;
    await writer;

    const stored = await storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10_000 });
    expect(stored.map((e) => e.id)).toEqual(acknowledged);
    expect(stored.map((e) => e.seq)).toEqual(acknowledged.map((_, i) => i));
    expect(statuses.at(-1)).toBe(true);
    await stopFeed();
  });

  it('bounds calls to a hung Redis (socket open, no answers); a retried append applies once', async () => {
    const namespace = rid('ns');
    const threadId = rid('t');
    await storage.appendEntries({ namespace, threadId, entries: [{ id: 'before' }] });
    const during = { namespace, threadId, entries: [{ id: 'during' }], expectedRev: 1 };
    redis.pause();
    try {
      // Every call but the unconditional append (index 1), whose late effect would muddy the check.
      for (const call of everyCall(namespace, threadId).filter((_, i) => i !== 1)) await failsFast(call);
      // Timed out, outcome unknown: the command may still run when Redis resumes.
      await failsFast(() => storage.appendEntries(during));
    } finally {
      redis.resume();
    }
    const retried = await eventually(() => storage.appendEntries(during));
    expect(retried.thread.rev).toBe(2);
    const stored = await storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 });
    expect(stored.map((e) => e.id)).toEqual(['before', 'during']);
  });

  it('rejects with StorageUnavailable, within the bound, when Redis is not there at start', async () => {
    const port = await freePort();
    const started = performance.now();
    await expect(
      createRedisStorage({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: TIMEOUT }),
    ).rejects.toBeInstanceOf(StorageUnavailable);
    expect(performance.now() - started).toBeLessThan(TIMEOUT + SLACK);
  });
});
