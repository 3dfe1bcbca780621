import { CryoError } from '../domain/errors.js';
import { openStorage } from '../storage/open.js';
import { StorageModuleError } from '../storage/storage-module.js';
import type { Storage } from '../storage/types.js';
import { UsageError } from './usage-error.js';

/** A storage URL, and the storage module that opens URLs of other schemes (null: none). */
export interface StoreTarget {
  storage: string;
  storageModule?: string | null;
}

/**
 * Opens the storage a command names, runs `work` on it and closes it (even on failure). A bad
 * URL, or a storage module that is missing or of the wrong shape, is a UsageError (exit 2); an
 * adapter (or module) that cannot open throws its error (exit 1).
 */
export async function withStore<T>(target: string | StoreTarget, work: (storage: Storage) => Promise<T>): Promise<T> {
  const { storage: url, storageModule = null } = typeof target === 'string' ? { storage: target } : target;
  let storage: Storage;
  try {
    storage = await openStorage(url, { storageModule });
  } catch (error) {
    if (error instanceof CryoError && error.code === 'VALIDATION_ERROR') throw new UsageError(error.message);
    if (error instanceof StorageModuleError && error.exitCode === 2) throw new UsageError(error.message);
    throw error;
  }
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}
