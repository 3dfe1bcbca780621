import { CryoError } from '../domain/errors.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { UsageError } from './usage-error.js';

/**
 * Opens the storage a command names, runs `work` on it and closes it (even on failure). A bad
 * URL is a UsageError (exit 2); an adapter that cannot open throws its error (exit 1).
 */
export async function withStore<T>(url: string, work: (storage: Storage) => Promise<T>): Promise<T> {
  let storage: Storage;
  try {
    storage = await openStorage(url, {});
  } catch (error) {
    if (error instanceof CryoError && error.code === 'VALIDATION_ERROR') throw new UsageError(error.message);
    throw error;
  }
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}
