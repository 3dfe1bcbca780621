import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';
import type { Storage } from '../../src/storage/types.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { startRedis } from '../support/redis-server.js';
import { createTestDatabase } from '../support/postgres-database.js';

/** A Cryo server on 127.0.0.1:0 over one storage backend, for the LangGraph tests. */
export interface CryoServer {
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  /** Stops the server and removes what the backend created. Idempotent. */
  close(): Promise<void>;
}

/** A storage backend: the storage URL the server opens (or a storage it is lent), and its cleanup. */
interface Backend {
  name: string;
  open(): Promise<{ storageUrl?: string; storage?: Storage; cleanup(): Promise<void> }>;
}

/**
 * The backends the LangGraph suites run against. Adding one (e.g. Postgres once its adapter lands)
 * is one line here: a name and how to open it.
 */
export const BACKENDS: readonly Backend[] = [
  { name: 'memory', open: async () => ({ storageUrl: 'memory:', cleanup: async () => {} }) },
  { name: 'file', open: openFile },
  { name: 'redis', open: openRedis },
  { name: 'postgres', open: openPostgres },
  { name: 'sqlite', open: openSqlite },
];

async function openSqlite() {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-langgraph-'));
  return { storageUrl: `sqlite:${join(dir, 'cryo.db')}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function openPostgres() {
  const db = await createTestDatabase();
  return { storageUrl: db.url, cleanup: () => db.drop() };
}

async function openFile() {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-langgraph-'));
  return { storageUrl: `file:${dir}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function openRedis() {
  const redis = await startRedis();
  const storage = await createRedisStorage({ url: redis.url, keyPrefix: `cryo-langgraph-${randomBytes(4).toString('hex')}` });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await redis.close();
    },
  };
}

/** Starts a real Cryo server (HTTP on a free port) over the named backend. */
export async function startCryo(backendName: string): Promise<CryoServer> {
  const backend = BACKENDS.find((candidate) => candidate.name === backendName);
  if (!backend) throw new Error(`unknown backend ${backendName}`);
  const opened = await backend.open();
  const config = defineConfig({ port: 0, logLevel: 'silent', shutdownGraceMs: 500, storage: opened.storageUrl ?? 'memory:' });
  const app = await buildApp(config, { dashboardDir: null, operationsDir: null, ...(opened.storage ? { storage: opened.storage } : {}) });
  const { url } = await app.start();
  let closing: Promise<void> | undefined;
  return {
    graphqlUrl: `${url}graphql`,
    close: () =>
      (closing ??= (async () => {
        await app.stop();
        await opened.cleanup();
      })()),
  };
}
