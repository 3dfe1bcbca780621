/**
 * The two embedded engines as the embedded-store bench sees them: how to open one on a temp
 * location, how much disk it uses, and how many fsyncs/commits it made.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage, type FileStorage } from '../../src/storage/file/index.js';
import { createSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/index.js';

/** The engines compared. */
export const ENGINES = ['file', 'sqlite'] as const;
/** One of {@link ENGINES}. */
export type Engine = (typeof ENGINES)[number];

/** A place an engine stores into; `open()` may be called again after `close()` of the previous one. */
export interface EngineLocation {
  engine: Engine;
  open(): Promise<FileStorage | SqliteStorage>;
  /** Bytes on disk (allocated blocks, so a 100-byte file counts 4 KiB). */
  diskBytes(): Promise<number>;
  remove(): Promise<void>;
}

/** A fresh temp location for `engine` (file: a data directory; sqlite: a database file in one). */
export async function engineLocation(engine: Engine): Promise<EngineLocation> {
  const dir = await mkdtemp(join(tmpdir(), `cryo-bench-${engine}-`));
  return {
    engine,
    open: () => (engine === 'file' ? createFileStorage({ directory: dir }) : createSqliteStorage({ path: join(dir, 'cryo.db') })),
    diskBytes: () => allocatedBytes(dir),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** fsyncs (file: flush calls) or commits (sqlite: one WAL fsync each) so far. */
export async function syncCount(storage: FileStorage | SqliteStorage): Promise<number> {
  return storage.kind === 'file' ? storage.stats().syncCalls : (await storage.stats()).commits;
}

async function allocatedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    total += (await stat(join(entry.parentPath, entry.name))).blocks * 512;
  }
  return total;
}
