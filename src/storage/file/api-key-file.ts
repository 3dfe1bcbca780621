import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { StorageCorrupted } from '../../domain/errors.js';
import { ApiKeyTable } from '../api-key-table.js';
import type { LocalChangeFeed } from '../local-change-feed.js';
import type { Page } from '../types.js';

/** Name of the file holding the API keys (hashes only) in the data directory. */
export const API_KEYS_FILE = 'api-keys.json';

/**
 * The file adapter's API keys: one JSON file (`api-keys.json`, hashes only), loaded at open and
 * kept in memory, replaced atomically on every change (write to a temp file, flush, rename,
 * flush the directory) before the call resolves. Changes are serialized. Keys are few (one
 * per agent or operator), so rewriting the whole file is fine; it does NOT scale to millions.
 */
export class FileApiKeys {
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly directory: string,
    readonly table: ApiKeyTable,
    readonly changes: LocalChangeFeed,
  ) {}

  /** Loads the keys; a missing file means none, an unreadable one is StorageCorrupted. */
  static async load(directory: string, changes: LocalChangeFeed): Promise<FileApiKeys> {
    const path = join(directory, API_KEYS_FILE);
    let records: ApiKeyRecord[] = [];
    try {
      const text = await readFile(path, 'utf8');
      const parsed = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(parsed.keys)) throw new Error('no keys array');
      records = parsed.keys as ApiKeyRecord[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageCorrupted(`${path} is not a valid API key file: ${(error as Error).message}`);
      }
    }
    return new FileApiKeys(directory, new ApiKeyTable(records), changes);
  }

  create(record: ApiKeyRecord): Promise<void> {
    return this.#serial(async () => {
      this.table.add(record);
      await this.#save();
    });
  }

  get(id: string): ApiKeyRecord | null {
    return this.table.get(id);
  }

  list(namespace: string, first: number, after: string | null): Page<ApiKeyRecord> {
    return this.table.list(namespace, first, after);
  }

  revoke(namespace: string, id: string, at: Date): Promise<boolean> {
    return this.#serial(async () => {
      if (!this.table.revoke(namespace, id, at)) return false;
      await this.#save();
      this.changes.publish({ type: 'api-key-revoked', keyId: id });
      return true;
    });
  }

  /** Resolves when no change is in flight. */
  idle(): Promise<void> {
    return this.#chain.then(() => undefined, () => undefined);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #save(): Promise<void> {
    const path = join(this.directory, API_KEYS_FILE);
    const temp = `${path}.tmp`;
    await writeFile(temp, `${JSON.stringify({ keys: this.table.all() })}\n`, { flush: true });
    await rename(temp, path);
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
