import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { createPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { freePort } from '../support/redis-server.js';
import { EventLog, rid } from 'cryo/storage/conformance';

const TIMEOUT = 400;
// Generous: the machine is shared; the point is "bounded", not a latency target.
const SLACK = 1000;

/** Runs `call`, expects StorageUnavailable within the bound. */
async function failsFast(call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const error = await call().then(
    () => new Error('expected StorageUnavailable, got success'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageUnavailable);
  expect(performance.now() - started).toBeLessThan(TIMEOUT + SLACK);
}

// On the machine's server, but only this test's own database: its tables are locked, its backends terminated.
describe('postgres faults (own database only)', () => {
  let db: TestDatabase;
  let storage: PostgresStorage;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    storage = await createPostgresStorage({ url: db.url, timeoutMs: TIMEOUT });
    admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => {}); // terminated with the others in the severing test
    await admin.connect();
  });

  afterAll(async () => {
    await storage?.close();
    await admin?.end().catch(() => {});
    await db?.drop();
  });

  it('a hung database (tables locked by someone else) fails every call within the bound; a retried append applies once', async () => {
    const namespace = rid('ns');
    const threadId = rid('t');
    await storage.appendEntries({ namespace, threadId, entries: [{ id: 'before' }] });
    const during = { namespace, threadId, entries: [{ id: 'during' }], expectedRev: 1 };
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE cryo.threads, cryo.checkpoints IN ACCESS EXCLUSIVE MODE');
    try {
      for (const call of [
        () => storage.appendEntries(during),
        () => storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 }),
        () => storage.readTail({ namespace, threadId, limit: 10 }),
        () => storage.getThread({ namespace, threadId }),
        () => storage.listThreads({ namespace }),
        () => storage.deleteThread({ namespace, threadId: rid('t') }),
        () => storage.putCheckpoint({ namespace, agentType: 'a', agentId: 'b', state: {} }),
        () => storage.getCheckpoint({ namespace, agentType: 'a', agentId: 'b' }),
        () => storage.listCheckpoints({ namespace }),
        () => storage.trimThread({ namespace, threadId, beforeSeq: 1 }),
        () => storage.setThreadRetention({ namespace, threadId, retention: { maxEntries: 1 } }),
        () => storage.sweepRetention(),
      ]) {
        await failsFast(call);
      }
    } finally {
      await admin.query('ROLLBACK');
    }
    // The failed sweep's session (holding the sweep lease) was destroyed, not pooled: the lease is free again.
    await eventually(async () => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      expect(rows[0].n).toBe(0);
    });
    expect(await storage.sweepRetention()).toMatchObject({ skipped: false });
    const retried = await storage.appendEntries(during);
    expect(retried.thread.rev).toBe(2);
    expect(await storage.appendEntries(during)).toMatchObject({ replayed: true });
    expect((await storage.readEntries({ namespace, threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['before', 'during']);
  });

  it('severed connections (pg_terminate_backend): the feed reports false then true, LISTENs again, calls recover by themselves', async () => {
    const namespace = rid('ns');
    const threadId = rid('t');
    const statuses: boolean[] = [];
    const back = new Promise<void>((resolve) =>
      storage.changes.onStatus((healthy) => {
        statuses.push(healthy);
        if (healthy) resolve();
      }),
    );
    const log = new EventLog();
    const stop = await storage.changes.subscribeThread(namespace, threadId, log.listener);
    const before = storage.changes.listenerPid;
    expect(before).not.toBeNull();
    expect(await db.terminateConnections()).toBeGreaterThanOrEqual(1);
    await back;
    expect(statuses).toEqual([false, true]);
    expect(storage.changes.listenerPid).not.toBe(before);
    // Pooled clients that died are replaced; the first call may hit one that is gone.
    await eventually(() => storage.ping());
    await storage.appendEntries({ namespace, threadId, entries: [{}, {}] });
    expect(await log.waitFor((e) => e.type === 'thread-appended')).toMatchObject({ rev: 2 });
    await stop();
  });

  it('rejects with StorageUnavailable, within the bound, when nothing listens at the address', async () => {
    const port = await freePort();
    const started = performance.now();
    await expect(createPostgresStorage({ url: `postgres://postgres@127.0.0.1:${port}/x`, timeoutMs: TIMEOUT })).rejects.toBeInstanceOf(
      StorageUnavailable,
    );
    expect(performance.now() - started).toBeLessThan(TIMEOUT + SLACK);
  });
});
