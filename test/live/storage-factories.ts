import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from '../../src/storage/file/index.js';
import { afterAll } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import type { Storage } from '../../src/storage/types.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

/** A file storage in a fresh temp dir; the dir is removed by the storage's close(). */
async function tempFileStorage(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-live-'));
  const storage = await createFileStorage({ directory: dir });
  const close = storage.close.bind(storage);
  return Object.assign(storage, {
    close: async () => {
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/** A sqlite storage in a fresh temp dir; the dir is removed by the storage's close(). */
async function tempSqliteStorage(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-live-'));
  const storage = await createSqliteStorage({ path: join(dir, 'cryo.db') });
  const close = storage.close.bind(storage);
  return Object.assign(storage, {
    close: async () => {
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

let database: Promise<TestDatabase> | undefined;
afterAll(async () => {
  await (await database)?.drop();
});

/** A Postgres storage on a database created for this test file (dropped after it). */
async function testPostgresStorage(): Promise<Storage> {
  const db = await (database ??= createTestDatabase());
  return createPostgresStorage({ url: db.url });
}

/** The adapters the live tests run against: [name, factory]. */
export const storageFactories: Array<[string, () => Promise<Storage>]> = [
  ['memory', async () => createMemoryStorage()],
  ['file', tempFileStorage],
  ['sqlite', tempSqliteStorage],
  ['postgres', testPostgresStorage],
];
