import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from '../../src/storage/file/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import type { Storage } from '../../src/storage/types.js';

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

/** The single-process adapters the live tests run against: [name, factory]. */
export const storageFactories: Array<[string, () => Promise<Storage>]> = [
  ['memory', async () => createMemoryStorage()],
  ['file', tempFileStorage],
  ['sqlite', tempSqliteStorage],
];
