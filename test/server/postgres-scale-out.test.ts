import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { CAN_RUN_POSTGRES, startPostgresServer, type TestPostgresServer } from '../support/postgres-server.js';
import { APPEND, range, wsClient } from './live-helpers.js';
import { ResumingSubscriber } from './resuming-subscriber.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT = 1000;
// Generous: the machine is shared; the point is "bounded", not a latency target.
const SLACK = 1500;

// A private server (initdb in a temp dir): these tests stop it, which must never hit the machine's cluster.
describe.skipIf(!CAN_RUN_POSTGRES)('two app instances on one PostgreSQL database', () => {
  let server: TestPostgresServer;
  let db: TestDatabase;
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
  /** Exactly-once writer: the same id and expectedRev until acknowledged (a replay counts). */
  const writer = (threadId: string, acknowledged: string[]) => async (app: TestApp, id: string) => {
    for (;;) {
      const { status, body } = await app.gql(APPEND, { input: { threadId, entries: [{ id }], expectedRev: acknowledged.length } });
      if (status === 200 && body.data?.appendEntries?.__typename === 'AppendEntriesSuccess') break;
      expect(body.errors?.[0]?.extensions?.code).toBe('STORAGE_UNAVAILABLE');
    }
    acknowledged.push(id);
  };
  const ready = (app: TestApp) =>
    eventually(async () => {
      const response = await fetch(`${app.url}ready`);
      if (response.status !== 200) throw new Error(`ready: ${response.status}`);
    }, 30_000);

  beforeAll(async () => {
    server = await startPostgresServer();
    db = await createTestDatabase(server.url);
    for (let i = 0; i < 2; i++) {
      const storage = await createPostgresStorage({ url: db.url, timeoutMs: TIMEOUT });
      storages.push(storage);
      apps.push(await startTestApp('memory', {}, { storage }));
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    for (const app of apps) await app.close();
    for (const storage of storages) await storage.close();
    await server?.close();
  });

  it('builds from the storage URL and reports storage "postgres"', async () => {
    const app = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: `${db.url}?schema=from_url` }), {
      dashboardDir: null,
      operationsDir: null,
    });
    try {
      const { url } = await app.start();
      const response = await fetch(`${url}graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ serverInfo { storage } }"}',
      });
      expect(await response.json()).toEqual({ data: { serverInfo: { storage: 'postgres' } } });
    } finally {
      await app.stop();
    }
  });

  it('writers on both and subscribers on both: everyone receives every entry once, in order', async () => {
    const threadId = freshId('scale');
    const [a, b] = apps as [TestApp, TestApp];
    const subscribers = [a, a, b, b].map((app) => new ResumingSubscriber(ws(app), threadId));
    const total = 200;
    let written = 0;
    const write = async (app: TestApp, seed: number) => {
      let n = seed;
      while (written < total) {
        n = (n * 7 + 3) % 5;
        const count = Math.min(total - written, 1 + n);
        written += count;
        const result = await append(app, threadId, Array.from({ length: count }, () => ({ kind: 'test' })));
        expect(result.__typename).toBe('AppendEntriesSuccess');
      }
    };
    await Promise.all([write(a, 1), write(b, 2), write(a, 3), write(b, 4)]);
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
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => append(i % 2 ? a : b, threadId, [{ id: `race-${i}` }], 3)));
    expect(results.filter((r) => r.__typename === 'AppendEntriesSuccess')).toHaveLength(1);
    expect(results.filter((r) => r.__typename === 'RevisionConflict')).toHaveLength(49);
  });

  it('every connection severed (pg_terminate_backend): subscriptions continue in place without gaps', async () => {
    const threadId = freshId('sever');
    const [a, b] = apps as [TestApp, TestApp];
    const subscribers = [a, b].map((app) => new ResumingSubscriber(ws(app), threadId));
    const acknowledged: string[] = [];
    const write = writer(threadId, acknowledged);
    for (let i = 0; i < 10; i++) await write(i % 2 ? a : b, `before-${i}`);
    await Promise.all(subscribers.map((s) => s.until((x) => x.seqs.length >= 10)));
    expect(await db.terminateConnections()).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 10; i++) await write(i % 2 ? b : a, `after-${i}`);
    for (const subscriber of subscribers) {
      await subscriber.until((s) => s.seqs.length >= 20);
      expect(subscriber.seqs).toEqual(range(0, 20));
      expect(subscriber.errors).toEqual([]);
      expect(subscriber.resumes).toBe(0);
      subscriber.stop();
    }
  });

  it('PostgreSQL crashes mid-run (immediate shutdown): bounded STORAGE_UNAVAILABLE and /ready 503; restarted: recovery, no gaps, nothing acknowledged lost', async () => {
    const threadId = freshId('outage');
    const [a, b] = apps as [TestApp, TestApp];
    const subscribers = [a, b].map((app) => new ResumingSubscriber(ws(app), threadId));
    const acknowledged: string[] = [];
    const write = writer(threadId, acknowledged);
    for (let i = 0; i < 20; i++) await write(i % 2 ? a : b, `before-${i}`);
    await Promise.all(subscribers.map((s) => s.until((x) => x.seqs.length >= 20)));

    await server.crash();
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

    await server.start();
    for (const app of [a, b]) await ready(app);
    for (let i = 0; i < 20; i++) await write(i % 2 ? b : a, `after-${i}`);
    for (const subscriber of subscribers) {
      await subscriber.until((s) => s.seqs.length >= 40);
      expect(subscriber.seqs).toEqual(range(0, 40));
      expect(subscriber.errors).toEqual([]);
      expect(subscriber.resumes).toBe(0);
      subscriber.stop();
    }
    const stored = await a.data(`{ thread(id: ${JSON.stringify(threadId)}) { rev entries(first: 100) { edges { node { id } } } } }`);
    expect(stored.thread.rev).toBe(40);
    expect(stored.thread.entries.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(acknowledged);
  });

  it('SIGKILL of a Cryo instance loses no acknowledged append', async () => {
    const threadId = freshId('kill');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--storage', db.url], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', CRYO_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      child.stderr.resume();
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`cryo exited early (${code})`)));
      });
      const acknowledged: string[] = [];
      let inFlight: string | null = null;
      const killed = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const writing = (async () => {
        for (let i = 0; ; i++) {
          inFlight = `k-${i}`;
          const response = await fetch(`${url}graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: APPEND, variables: { input: { threadId, entries: [{ id: inFlight }], expectedRev: i } } }),
          });
          const body = (await response.json()) as { data?: { appendEntries?: { __typename: string } } };
          expect(body.data?.appendEntries?.__typename).toBe('AppendEntriesSuccess');
          acknowledged.push(inFlight);
          if (i === 30) child.kill('SIGKILL');
        }
      })().catch(() => {});
      await killed;
      await writing;
      const ids = (await storages[0]!.readEntries({ threadId, fromSeq: 0, limit: 1000 })).map((e) => e.id);
      expect(acknowledged.length).toBeGreaterThanOrEqual(31);
      // Every acknowledged append is stored, in order; the one in flight at the kill may or may not be.
      expect(ids.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(ids.length - acknowledged.length).toBeLessThanOrEqual(1);
      if (ids.length > acknowledged.length) expect(ids.at(-1)).toBe(inFlight);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
