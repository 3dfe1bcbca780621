import { resolve } from 'node:path';
import { ValidationError, type OpenStorageOptions, type Storage } from 'cryo/storage';
import { createJsonlStorage } from './jsonl-storage.js';

/**
 * The storage module Cryo loads with CRYO_STORAGE_MODULE (docs/adapters.md): Cryo calls
 * `createStorage(url, options)` for a storage URL whose scheme it does not know. This one opens
 * `jsonl:<path>` (a JSON-lines log file; a relative path resolves against the current directory)
 * with the server's limits. Any other URL is a ValidationError naming `storage`.
 */
export async function createStorage(url: string, options: OpenStorageOptions): Promise<Storage> {
  const match = /^jsonl:(.+)$/.exec(url);
  if (!match) throw new ValidationError(`the jsonl adapter opens jsonl:<file> (got ${JSON.stringify(url)})`, 'storage');
  return createJsonlStorage({ path: resolve(match[1]!), limits: options.limits });
}

export { createJsonlStorage, type JsonlStorageOptions } from './jsonl-storage.js';
