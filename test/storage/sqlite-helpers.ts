import { join } from 'node:path';
import { createSqliteStorage, type SqliteStorage, type SqliteStorageOptions } from '../../src/storage/sqlite/index.js';
import { tempDir } from './file-helpers.js';

/**
 * A fresh temp directory holding one database path: `open(overrides)` opens a SqliteStorage on
 * it. Every storage opened is closed, then the directory removed, by a cleanup pushed onto
 * `cleanups` (run them in afterEach).
 */
export async function freshSqlite(
  cleanups: (() => Promise<void>)[],
): Promise<{ dir: string; path: string; open: (overrides?: Partial<SqliteStorageOptions>) => Promise<SqliteStorage> }> {
  const dir = await tempDir('cryo-sqlite-');
  const path = join(dir.path, 'cryo.db');
  const opened: SqliteStorage[] = [];
  cleanups.push(async () => {
    for (const storage of opened) await storage.close();
    await dir.remove();
  });
  return {
    dir: dir.path,
    path,
    open: async (overrides = {}) => {
      const storage = await createSqliteStorage({ path, ...overrides });
      opened.push(storage);
      return storage;
    },
  };
}
