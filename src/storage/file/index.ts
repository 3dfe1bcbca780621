import { resolve } from 'node:path';
import { isCryoError, StorageUnavailable } from '../../domain/errors.js';
import { openFileStorage } from './open.js';
import { logRecovery } from './recovery.js';
import type { FileStorage, FileStorageOptions } from './types.js';

export { DEFAULT_FILE_DURABILITY, type FileDurability } from './durability.js';
export type { FileStorage, FileStorageOptions, FileStorageStats } from './types.js';
export type { RecoveryReport } from './recovery.js';
export type { FileIo } from './file-io.js';

/**
 * Opens (creating when needed) a durable, single-process Storage in `directory`: takes the
 * directory lock, replays a write-ahead log left by a crash, scans every journal and checkpoint
 * key once to rebuild the in-memory heads, offset indexes and listings (startup time grows with
 * the data), cutting torn tails. An append is acknowledged only after its records are flushed:
 * by default through the shared write-ahead log, one flush per round for all threads (see
 * `durability`); checkpoints are replaced atomically. See src/storage/file/README.md for what it does NOT promise (several processes,
 * network filesystems, disk-full recovery without reopen).
 */
export async function createFileStorage(options: FileStorageOptions): Promise<FileStorage> {
  const directory = resolve(options.directory);
  try {
    const storage = await openFileStorage(directory, options);
    if (options.logger) logRecovery(storage.recovery, options.logger);
    return storage;
  } catch (error) {
    if (isCryoError(error)) throw error;
    throw new StorageUnavailable(`cannot open file storage ${directory}: ${(error as Error).message}`, { cause: error });
  }
}
