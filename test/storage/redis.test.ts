import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingThread, RevisionConflict, StorageCorrupted, TrimBeyondCheckpoint } from '../../src/domain/errors.js';
import { hibernate, thaw } from '../../src/persist.js';
import { openStorage } from '../../src/storage/open.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { checkpointMember, orderedHex, redisKeys, retentionMember } from '../../src/storage/redis/keys.js';
import type { Storage } from '../../src/storage/types.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { describeStorageConformance, EventLog, rid } from 'cryo/storage/conformance';

let server: Promise<TestRedis> | undefined;
const redis = (): Promise<TestRedis> => (server ??= startRedis());
const prefix = `cryo-test-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await (await server)?.close();
});

describeStorageConformance('redis', async ({ limits }) => ({
  storage: await createRedisStorage({ url: (await redis()).url, limits, keyPrefix: prefix }),
}));

/** What the tests send Redis directly. */
type RawClient = { sendCommand(args: string[]): Promise<unknown> };

/** Runs `test` with a raw client and a storage on the test Redis, closing both afterwards. */
async function withClientAndStorage(test: (client: RawClient, storage: Storage) => Promise<void>): Promise<void> {
  const { url } = await redis();
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  const storage = await createRedisStorage({ url, keyPrefix: prefix });
  try {
    await test(client, storage);
  } finally {
    await storage.close();
    await client.close();
  }
}

describe('redis adapter specifics', () => {
  it('lists the namespaces holding a thread, a checkpoint or an API key (export without --namespace), only under its own prefix', async () => {
    const { url } = await redis();
    const own = `cryo-ns-${randomBytes(4).toString('hex')}`;
    const other = await createRedisStorage({ url, keyPrefix: `${own}-other` });
    const storage = (await createRedisStorage({ url, keyPrefix: own })) as Storage & { namespaces(): Promise<string[]> };
    try {
      expect(await storage.namespaces()).toEqual([]);
      await storage.appendEntries({ namespace: 'threads {a}:*', threadId: 't', entries: [{}] });
      await storage.putCheckpoint({ namespace: 'checkpoints-é', agentType: 'a', agentId: 'b', state: {} });
      await storage.createApiKey({
        id: randomBytes(8).toString('hex'),
        namespace: 'keys',
        label: null,
        scopes: ['read'],
        hash: 'a'.repeat(64),
        createdAt: new Date().toISOString(),
        expiresAt: null,
        revokedAt: null,
      });
      await other.appendEntries({ namespace: 'elsewhere', threadId: 't', entries: [{}] });
      expect(await storage.namespaces()).toEqual(['checkpoints-é', 'keys', 'threads {a}:*']);
      await storage.deleteThread({ namespace: 'threads {a}:*', threadId: 't' });
      expect(await storage.namespaces()).toEqual(['checkpoints-é', 'keys']);
    } finally {
      await storage.close();
      await other.close();
    }
  });

  it("keeps one thread's keys under one well-formed hash tag, with ids that contain braces", () => {
    const keys = redisKeys(prefix);
    // Redis hashes only the text between the first `{` and the next `}` (when non-empty).
    const tag = (key: string): string => {
      const open = key.indexOf('{');
      const close = key.indexOf('}', open + 1);
      expect(close - open).toBeGreaterThan(1);
      return key.slice(open + 1, close);
    };
    const pairs = [['default', 't'], ['{ns}', '}{x'], ['a:b', '{'], ['é', '🧊}'], ['a', 'b:c'], ['a:b', 'c']] as const;
    for (const [ns, id] of pairs) {
      expect(tag(keys.threadLog(ns, id))).toBe(tag(keys.threadHead(ns, id)));
      expect(tag(keys.threadChannel(ns, id))).toBe(tag(keys.threadHead(ns, id)));
      expect(tag(keys.checkpointIndex(ns))).toBe(tag(keys.checkpoints(ns)));
      expect(tag(keys.threadIndex(ns))).toBe(tag(keys.checkpoints(ns)));
      expect(tag(keys.checkpointChannel(ns))).toBe(tag(keys.checkpoints(ns)));
    }
    const heads = new Set(pairs.map(([ns, id]) => keys.threadHead(ns, id)));
    expect(heads.size).toBe(pairs.length);
  });

  it('lists without SCAN or KEYS', () =>
    withClientAndStorage(async (client, storage) => {
      const stats = async (): Promise<{ scan: number; keys: number; zrangebylex: number }> => {
        const info = String(await client.sendCommand(['INFO', 'commandstats']));
        const calls = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
        return { scan: calls('scan'), keys: calls('keys'), zrangebylex: calls('zrangebylex') + calls('evalsha') };
      };
      const before = await stats();
      const namespace = rid('ns');
      for (let i = 0; i < 5; i++) {
        await storage.appendEntries({ namespace, threadId: `t${i}`, entries: [{}] });
        await storage.putCheckpoint({ namespace, agentType: 'a', agentId: `c${i}`, state: {} });
      }
      expect((await storage.listThreads({ namespace, first: 2 })).hasMore).toBe(true);
      expect((await storage.listCheckpoints({ namespace, agentType: 'a' })).items).toHaveLength(5);
      const after = await stats();
      expect(after.scan).toBe(before.scan);
      expect(after.keys).toBe(before.keys);
      expect(after.zrangebylex).toBeGreaterThan(before.zrangebylex);
    }));

  it('of 50 racing appends from two storage instances with one expectedRev exactly one wins', async () => {
    const { url } = await redis();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      await a.appendEntries({ namespace, threadId, entries: [{}, {}] });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).appendEntries({ namespace, threadId, entries: [{ id: `r${i}` }, { id: `s${i}` }], expectedRev: 2 }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ constructor: RevisionConflict, expectedRev: 2, actualRev: 4 });
      }
      const stored = await b.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 });
      expect(stored.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an append on one instance reaches a subscriber on another', async () => {
    const { url } = await redis();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      const log = new EventLog();
      // Resolves after the SUBSCRIBE acknowledgement: an append made afterwards cannot be missed.
      const stop = await b.changes.subscribeThread(namespace, threadId, log.listener);
      await a.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
      expect(await log.waitFor((e) => e.type === 'thread-appended')).toEqual({ type: 'thread-appended', namespace, threadId, rev: 3 });
      await a.deleteThread({ namespace, threadId });
      await log.waitFor((e) => e.type === 'thread-deleted');
      await stop();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('shares one SUBSCRIBE per channel and unsubscribes when the last listener leaves', async () => {
    const { url } = await redis();
    const storage = (await createRedisStorage({ url, keyPrefix: prefix })) as Storage & {
      changes: { channelCount: number };
    };
    const client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      const channel = redisKeys(prefix).threadChannel(namespace, threadId);
      const subscribers = async (): Promise<number> => {
        const reply = (await client.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown[];
        return Number(reply[1]);
      };
      const stops = await Promise.all([1, 2, 3].map(() => storage.changes.subscribeThread(namespace, threadId, () => {})));
      expect(await subscribers()).toBe(1);
      expect(storage.changes.channelCount).toBe(1);
      await stops[0]!();
      await stops[1]!();
      expect(await subscribers()).toBe(1);
      await stops[2]!();
      expect(storage.changes.channelCount).toBe(0);
      expect(await subscribers()).toBe(0);
    } finally {
      await storage.close();
      await client.close();
    }
  });

  it('opens through openStorage from a redis:// URL', async () => {
    const storage = await openStorage((await redis()).url, { redis: { keyPrefix: prefix } });
    try {
      expect(storage.kind).toBe('redis');
      await storage.ping();
    } finally {
      await storage.close();
    }
  });

  it('uses a lent client without closing it, and duplicates it for the change feed', async () => {
    const client = createClient({ url: (await redis()).url });
    client.on('error', () => {});
    await client.connect();
    try {
      const storage = await createRedisStorage({ client, keyPrefix: prefix });
      const namespace = rid('ns');
      const threadId = rid('t');
      const log = new EventLog();
      const stop = await storage.changes.subscribeThread(namespace, threadId, log.listener);
      await storage.appendEntries({ namespace, threadId, entries: [{}] });
      await log.waitFor((e) => e.type === 'thread-appended');
      await stop();
      await storage.close();
      expect(client.isOpen).toBe(true);
      expect(await client.sendCommand(['PING'])).toBe('PONG');
    } finally {
      await client.close();
    }
  });

  it('listings skip index members whose thread is gone (what a crash between steps can leave in a cluster)', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      for (const threadId of ['b', 'd', 'f']) await storage.appendEntries({ namespace, threadId, entries: [{}] });
      const index = redisKeys(prefix).threadIndex(namespace);
      for (const stale of ['a', 'c', 'c2', 'e', 'g']) await client.sendCommand(['ZADD', index, '0', orderedHex(stale)]);
      const first = await storage.listThreads({ namespace, first: 2 });
      expect(first.items.map((t) => t.id)).toEqual(['b', 'd']);
      expect(first.hasMore).toBe(true);
      const rest = await storage.listThreads({ namespace, first: 2, after: 'd' });
      expect(rest.items.map((t) => t.id)).toEqual(['f']);
      expect(rest.hasMore).toBe(false);
      expect((await storage.listThreads({ namespace, first: 3 })).hasMore).toBe(false);
    }));

  it('a journal missing entries its head counts (evicted or damaged) reads as StorageCorrupted, never as a shorter journal', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const keys = redisKeys(prefix);
      const hole = rid('t');
      await storage.appendEntries({ namespace, threadId: hole, entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
      await client.sendCommand(['XDEL', keys.threadLog(namespace, hole), '0-2']);
      await expect(storage.readTail({ namespace, threadId: hole, limit: 2 })).rejects.toBeInstanceOf(StorageCorrupted);
      await expect(storage.readTail({ namespace, threadId: hole, limit: 10 })).rejects.toBeInstanceOf(StorageCorrupted);
      await expect(storage.readEntries({ namespace, threadId: hole, fromSeq: 0, limit: 10 })).rejects.toBeInstanceOf(StorageCorrupted);
      expect((await storage.readTail({ namespace, threadId: hole, limit: 1 })).entries.map((e) => [e.seq, e.id])).toEqual([[2, 'c']]);

      const gone = rid('t');
      await storage.appendEntries({ namespace, threadId: gone, entries: [{ id: 'a' }, { id: 'b' }] });
      await storage.putCheckpoint({ namespace, agentType: 'p', agentId: gone, state: {}, thread: { id: gone, rev: 2 } });
      await client.sendCommand(['DEL', keys.threadLog(namespace, gone)]);
      await expect(storage.readTail({ namespace, threadId: gone, limit: 1 })).rejects.toBeInstanceOf(StorageCorrupted);
      // thaw compares heads only; paging the journal afterwards must not read as empty.
      await expect(thaw(storage, { namespace, agentType: 'p', agentId: gone })).resolves.toMatchObject({ thread: { rev: 2 } });
      await expect(storage.readEntries({ namespace, threadId: gone, fromSeq: 0, limit: 10 })).rejects.toBeInstanceOf(StorageCorrupted);
      await expect(storage.readEntries({ namespace, threadId: gone, fromSeq: 1, limit: 1 })).rejects.toBeInstanceOf(StorageCorrupted);
      expect(await storage.readEntries({ namespace, threadId: gone, fromSeq: 2, limit: 10 })).toEqual([]);
      await expect(
        hibernate(storage, { namespace, agentType: 'p', agentId: gone, state: {}, thread: { id: gone, rev: 2, entries: [{ id: 'a' }, { id: 'b' }] } }),
      ).rejects.toBeInstanceOf(StorageCorrupted);
    }));

  it('reads heads and checkpoints written before thread lives: a derived life, old pointers match any life', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const keys = redisKeys(prefix);
      const threadId = rid('t');
      const ca = '2026-01-02T03:04:05.678Z';
      const agent = { namespace, agentType: 'p', agentId: rid('a') };
      const member = checkpointMember(agent.agentType, agent.agentId);
      const log = keys.threadLog(namespace, threadId);
      await client.sendCommand(['HSET', keys.threadHead(namespace, threadId), 'rev', '1', 'meta', '{}', 'ca', ca, 'ua', ca]);
      await client.sendCommand(['XADD', log, '0-1', 'i', 'e0', 'd', JSON.stringify({ id: 'e0', at: ca, kind: 'note', payload: {}, refs: {} })]);
      await client.sendCommand(['ZADD', keys.threadIndex(namespace), '0', orderedHex(threadId)]);
      const body = JSON.stringify({ version: 1, state: {}, thread: { id: threadId, rev: 1 } });
      await client.sendCommand(['HSET', keys.checkpoints(namespace), `h:${member}`, `1|${ca}|${ca}`, `b:${member}`, body]);
      await client.sendCommand(['ZADD', keys.checkpointIndex(namespace), '0', member]);
      expect((await storage.getThread({ namespace, threadId }))?.life).toBe(`legacy-${ca}`);
      expect((await storage.readTail({ namespace, threadId, limit: 1 })).thread?.life).toBe(`legacy-${ca}`);
      expect((await thaw(storage, agent)).checkpoint.thread).toEqual({ id: threadId, rev: 1 });
      const put = await storage.putCheckpoint({ ...agent, state: {}, thread: { id: threadId, rev: 1, life: `legacy-${ca}` }, expectedRev: 1 });
      expect(put.thread).toEqual({ id: threadId, rev: 1, life: `legacy-${ca}` });
      expect((await storage.appendEntries({ namespace, threadId, entries: [{}], expectedRev: 1 })).thread.life).toBe(`legacy-${ca}`);
      await storage.deleteThread({ namespace, threadId });
      await storage.appendEntries({ namespace, threadId, entries: [{}, {}] });
      await expect(thaw(storage, agent)).rejects.toBeInstanceOf(MissingThread);
    }));

  it('a trim removes the entries from the stream itself (XLEN, MEMORY USAGE), inside the script that checks it', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const threadId = rid('t');
      const log = redisKeys(prefix).threadLog(namespace, threadId);
      for (let i = 0; i < 1000; i += 100) {
        await storage.appendEntries({ namespace, threadId, entries: Array.from({ length: 100 }, () => ({ payload: { text: 'x'.repeat(200) } })) });
      }
      const before = Number(await client.sendCommand(['MEMORY', 'USAGE', log, 'SAMPLES', '0']));
      const evalsBefore = await commandCalls(client, 'evalsha');
      expect((await storage.trimThread({ namespace, threadId, beforeSeq: 900 })).dropped).toBe(900);
      expect((await commandCalls(client, 'evalsha')) - evalsBefore).toBe(1);
      expect(Number(await client.sendCommand(['XLEN', log]))).toBe(100);
      const first = (await client.sendCommand(['XRANGE', log, '-', '+', 'COUNT', '1'])) as [string, string[]][];
      expect(first[0]![0]).toBe('0-901');
      const after = Number(await client.sendCommand(['MEMORY', 'USAGE', log, 'SAMPLES', '0']));
      expect(after).toBeLessThan(before / 5);
    }));

  it('keeps the reverse index exact: a pointer moved, cleared, refused or deleted leaves no registration behind', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const keys = redisKeys(prefix);
      const [t1, t2] = [rid('t'), rid('t')];
      await storage.appendEntries({ namespace, threadId: t1, entries: [{}, {}, {}] });
      await storage.appendEntries({ namespace, threadId: t2, entries: [{}, {}, {}] });
      const registered = async (threadId: string): Promise<string[]> =>
        ((await client.sendCommand(['HVALS', keys.threadPointers(namespace, threadId)])) as string[]).map((v) => v.split('|')[0]!);
      const agent = { namespace, agentType: 'a', agentId: rid('a') };
      await storage.putCheckpoint({ ...agent, state: {}, thread: { id: t1, rev: 2 } });
      expect(await registered(t1)).toEqual(['2']);
      await storage.putCheckpoint({ ...agent, state: {}, thread: { id: t1, rev: 3 } });
      expect(await registered(t1)).toEqual(['3']);
      await storage.putCheckpoint({ ...agent, state: {}, thread: { id: t2, rev: 1 } });
      expect(await registered(t1)).toEqual([]);
      expect(await registered(t2)).toEqual(['1']);
      await expect(storage.putCheckpoint({ ...agent, state: {}, thread: { id: t1, rev: 1 }, expectedRev: 1 })).rejects.toBeInstanceOf(RevisionConflict);
      await expect(storage.putCheckpoint({ ...agent, state: {}, thread: { id: t1, rev: 9 } })).rejects.toThrow(/ahead/);
      expect(await registered(t1)).toEqual([]);
      await storage.putCheckpoint({ ...agent, state: {}, thread: null });
      expect(await registered(t2)).toEqual([]);
      await storage.putCheckpoint({ ...agent, state: {}, thread: { id: t2, rev: 2 } });
      expect(await storage.deleteCheckpoint(agent)).toBe(true);
      expect(await registered(t2)).toEqual([]);
      expect((await storage.trimThread({ namespace, threadId: t2, beforeSeq: 3 })).dropped).toBe(3);
    }));

  it('a registration whose put never wrote its checkpoint (a crash between the steps) only holds entries back', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const threadId = rid('t');
      const { thread } = await storage.appendEntries({ namespace, threadId, entries: [{}, {}, {}, {}] });
      const pointers = redisKeys(prefix).threadPointers(namespace, threadId);
      await client.sendCommand(['HSET', pointers, `${checkpointMember('a', 'crashed')}|0123456789abcdef`, `2|${thread.life}`]);
      await expect(storage.trimThread({ namespace, threadId, beforeSeq: 3 })).rejects.toBeInstanceOf(TrimBeyondCheckpoint);
      expect((await storage.trimThread({ namespace, threadId, beforeSeq: 2 })).dropped).toBe(2);
      expect(await storage.getCheckpoint({ namespace, agentType: 'a', agentId: 'crashed' })).toBeNull();
    }));

  it('sweeps through the retention index, not SCAN or KEYS, and two instances never sweep at once', async () => {
    const { url } = await redis();
    const client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    const sweepPrefix = `${prefix}-sweep-${randomBytes(3).toString('hex')}`;
    const a = await createRedisStorage({ url, keyPrefix: sweepPrefix });
    const b = await createRedisStorage({ url, keyPrefix: sweepPrefix });
    try {
      const namespace = rid('ns');
      const old = '2001-01-01T00:00:00.000Z';
      const ids = Array.from({ length: 30 }, (_, i) => `t${i}`);
      for (const threadId of ids) {
        await a.appendEntries({ namespace, threadId, entries: [{ at: old }, { at: old }, {}], retention: { maxAgeSeconds: 60 } });
      }
      await a.appendEntries({ namespace, threadId: 'no-policy', entries: [{ at: old }] });
      const lease = redisKeys(sweepPrefix).sweepLease();
      // Another instance holds the lease: both skip, at once, and change nothing.
      await client.sendCommand(['SET', lease, 'someone-else', 'PX', '60000']);
      expect(await a.sweepRetention()).toEqual({ skipped: true, trimmedThreads: 0, dropped: 0 });
      expect(await b.sweepRetention()).toEqual({ skipped: true, trimmedThreads: 0, dropped: 0 });
      expect(await a.getThread({ namespace, threadId: 't0' })).toMatchObject({ firstSeq: 0 });
      await client.sendCommand(['DEL', lease]);
      const scans = (await commandCalls(client, 'scan')) + (await commandCalls(client, 'keys'));
      const [ra, rb] = await Promise.all([a.sweepRetention(), b.sweepRetention()]);
      // Whether the two overlapped (one skipped) or ran one after the other, no thread was trimmed twice.
      expect(ra.trimmedThreads + rb.trimmedThreads).toBe(ids.length);
      expect(ra.dropped + rb.dropped).toBe(2 * ids.length);
      expect((await commandCalls(client, 'scan')) + (await commandCalls(client, 'keys'))).toBe(scans);
      for (const threadId of ids) expect(await b.getThread({ namespace, threadId })).toMatchObject({ rev: 3, firstSeq: 2 });
      expect(await a.getThread({ namespace, threadId: 'no-policy' })).toMatchObject({ firstSeq: 0 });
      expect(Number(await client.sendCommand(['EXISTS', lease]))).toBe(0);
      // A lease taken over by another instance is left alone by the one that lost it.
      await client.sendCommand(['SET', lease, 'someone-else', 'PX', '60000']);
      expect((await a.sweepRetention()).skipped).toBe(true);
      expect(await client.sendCommand(['GET', lease])).toBe('someone-else');
      await client.sendCommand(['DEL', lease]);
    } finally {
      await a.close();
      await b.close();
      await client.close();
    }
  });

  it('a thread whose policy was cleared or that was deleted leaves the retention index at the next sweep', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const index = redisKeys(prefix).retentionIndex();
      const [kept, cleared, deleted] = [rid('t'), rid('t'), rid('t')];
      for (const threadId of [kept, cleared, deleted]) await storage.appendEntries({ namespace, threadId, entries: [{}], retention: { maxEntries: 5 } });
      await storage.setThreadRetention({ namespace, threadId: cleared, retention: null });
      await storage.deleteThread({ namespace, threadId: deleted });
      const member = (threadId: string): Promise<unknown> => client.sendCommand(['ZSCORE', index, retentionMember(namespace, threadId)]);
      expect(await member(cleared)).not.toBeNull();
      await storage.sweepRetention();
      expect(await member(kept)).not.toBeNull();
      expect(await member(cleared)).toBeNull();
      expect(await member(deleted)).toBeNull();
      await storage.setThreadRetention({ namespace, threadId: cleared, retention: { maxAgeSeconds: 10 } });
      expect(await member(cleared)).not.toBeNull();
    }));
});

describe('redis checkpoints written before the reverse index', () => {
  it('get their pointers registered by the first open of the prefix, so trims respect them; later opens do not scan', async () => {
    const { url } = await redis();
    const client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    const legacyPrefix = `${prefix}-legacy-${randomBytes(3).toString('hex')}`;
    const keys = redisKeys(legacyPrefix);
    const namespace = rid('ns');
    const ca = '2026-01-02T03:04:05.678Z';
    const threadId = rid('t');
    const gone = rid('t');
    try {
      // A thread of 6 entries and three checkpoints as an older version stored them: one pointing
      // at rev 2 (no life), one at rev 4 of a life the thread no longer has, one at a missing thread.
      await client.sendCommand(['HSET', keys.threadHead(namespace, threadId), 'rev', '6', 'meta', '{}', 'ca', ca, 'ua', ca, 'life', 'L1']);
      for (let seq = 0; seq < 6; seq++) {
        const entry = JSON.stringify({ id: `e${seq}`, at: ca, kind: 'note', payload: {}, refs: {} });
        await client.sendCommand(['XADD', keys.threadLog(namespace, threadId), `0-${seq + 1}`, 'i', `e${seq}`, 'd', entry]);
      }
      await client.sendCommand(['ZADD', keys.threadIndex(namespace), '0', orderedHex(threadId)]);
      const legacy = [
        ['old', { id: threadId, rev: 2 }],
        ['other-life', { id: threadId, rev: 4, life: 'L0' }],
        ['gone', { id: gone, rev: 1 }],
      ] as const;
      for (const [agentId, thread] of legacy) {
        const member = checkpointMember('a', agentId);
        await client.sendCommand(['HSET', keys.checkpoints(namespace), `h:${member}`, `1|${ca}|${ca}`, `b:${member}`, JSON.stringify({ version: 1, state: {}, thread })]);
        await client.sendCommand(['ZADD', keys.checkpointIndex(namespace), '0', member]);
      }
      const storage = await createRedisStorage({ url, keyPrefix: legacyPrefix });
      try {
        await expect(storage.trimThread({ namespace, threadId, beforeSeq: 3 })).rejects.toMatchObject({
          constructor: TrimBeyondCheckpoint,
          agentId: 'old',
          pointerRev: 2,
        });
        expect((await storage.trimThread({ namespace, threadId, beforeSeq: 2 })).dropped).toBe(2);
        expect(await client.sendCommand(['HLEN', keys.threadPointers(namespace, threadId)])).toBe(1);
        // Moving the old checkpoint on frees the entries, as for any registered pointer.
        await storage.putCheckpoint({ namespace, agentType: 'a', agentId: 'old', state: {}, thread: { id: threadId, rev: 6 } });
        expect((await storage.trimThread({ namespace, threadId, beforeSeq: 6 })).dropped).toBe(4);
      } finally {
        await storage.close();
      }
      const scans = await commandCalls(client, 'scan');
      await (await createRedisStorage({ url, keyPrefix: legacyPrefix })).close();
      expect(await commandCalls(client, 'scan')).toBe(scans);
    } finally {
      await client.close();
    }
  });
});

describe('redis append group commit', () => {
  it('sends appends made while others are in flight as one script run, each with its own outcome', () =>
    withClientAndStorage(async (client, storage) => {
      const namespace = rid('ns');
      const ids = Array.from({ length: 32 }, (_, i) => `t${i}`);
      for (const threadId of ids) await storage.appendEntries({ namespace, threadId, entries: [{ id: 'a' }] });
      const runs = await commandCalls(client, 'evalsha');
      const results = await Promise.allSettled(
        ids.flatMap((threadId, i) => [
          storage.appendEntries({ namespace, threadId, entries: [{ id: 'b' }, { id: 'c' }], expectedRev: 1 }),
          // Every other thread gets a stale expectedRev: a conflict for that append only.
          storage.appendEntries({ namespace, threadId, entries: [{ id: 'd' }], expectedRev: i % 2 ? 3 : 1 }),
        ]),
      );
      const made = (await commandCalls(client, 'evalsha')) - runs;
      expect(made).toBeLessThan(results.length / 4);
      for (const [i, threadId] of ids.entries()) {
        const [first, second] = [results[2 * i]!, results[2 * i + 1]!];
        expect(first).toMatchObject({ status: 'fulfilled', value: { thread: { rev: 3 } } });
        if (i % 2) expect(second).toMatchObject({ status: 'fulfilled', value: { thread: { rev: 4 }, entries: [{ seq: 3, id: 'd' }] } });
        else expect(second).toMatchObject({ status: 'rejected', reason: { constructor: RevisionConflict, expectedRev: 1, actualRev: 3 } });
        const stored = await storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 });
        expect(stored.map((e) => e.id)).toEqual(i % 2 ? ['a', 'b', 'c', 'd'] : ['a', 'b', 'c']);
      }
    }));

  it('a thread deleted by another instance is re-created by the next append (the lean form asks for the full one)', async () => {
    const { url } = await redis();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      await a.appendEntries({ namespace, threadId, entries: [{}, {}], metadata: { v: 1 } });
      const life = (await a.getThread({ namespace, threadId }))!.life;
      await b.deleteThread({ namespace, threadId });
      const again = await a.appendEntries({ namespace, threadId, entries: [{}], metadata: { v: 2 } });
      expect(again.thread).toMatchObject({ rev: 1, firstSeq: 0, metadata: { v: 2 } });
      expect(again.thread.life).not.toBe(life);
      expect((await b.listThreads({ namespace })).items.map((t) => t.id)).toEqual([threadId]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a short append answers the head as stored: re-created, trimmed or given a policy by another instance', async () => {
    const { url } = await redis();
    const a = await createRedisStorage({ url, keyPrefix: prefix });
    const b = await createRedisStorage({ url, keyPrefix: prefix });
    try {
      const namespace = rid('ns');
      const threadId = rid('t');
      await a.appendEntries({ namespace, threadId, entries: [{}], metadata: { v: 1 } });
      await a.appendEntries({ namespace, threadId, entries: [{}] });
      await b.deleteThread({ namespace, threadId });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const created = await b.appendEntries({ namespace, threadId, entries: [{}], metadata: { v: 2 } });
      // `a` still knows the old life: its short append is refused and sent again in full.
      const next = await a.appendEntries({ namespace, threadId, entries: [{}] });
      expect(next.thread).toEqual({ ...created.thread, rev: 2, updatedAt: next.thread.updatedAt });
      expect(next.thread.createdAt).toBe(created.thread.createdAt);
      await b.setThreadRetention({ namespace, threadId, retention: { maxEntries: 2, maxAgeSeconds: 3600 } });
      const kept = await a.appendEntries({ namespace, threadId, entries: [{}, {}] });
      expect(kept.thread).toMatchObject({ rev: 4, firstSeq: 2, retention: { maxEntries: 2, maxAgeSeconds: 3600 }, metadata: { v: 2 } });
      expect(kept.thread).toEqual(await a.getThread({ namespace, threadId }));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** How often Redis ran a command so far (INFO commandstats). */
async function commandCalls(client: RawClient, name: string): Promise<number> {
  const info = String(await client.sendCommand(['INFO', 'commandstats']));
  return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}
