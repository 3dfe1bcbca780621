import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from '../../src/storage/file/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import type { JsonObject } from '../../src/domain/json.js';
import type { Storage } from '../../src/storage/types.js';

export type AdapterKind = 'memory' | 'file' | 'redis';

/** A freshly opened adapter and how to get rid of it. */
export interface OpenedAdapter {
  kind: AdapterKind;
  storage: Storage;
  /** Closes the storage and removes what was created for it (temp dir). Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a fresh, empty adapter of `kind`: memory; file in a new temp directory (removed on
 * close); Redis on `redisUrl` (a server the benchmark owns) under a new random key prefix.
 * Rejects when `kind` is redis and no URL is given. The Redis keys are not deleted on close: the
 * benchmark's own redis-server goes away with them.
 */
export async function openAdapter(kind: AdapterKind, redisUrl?: string): Promise<OpenedAdapter> {
  let closing: Promise<void> | undefined;
  switch (kind) {
    case 'memory': {
      const storage = createMemoryStorage();
      return { kind, storage, close: () => (closing ??= storage.close()) };
    }
    case 'file': {
      const directory = await mkdtemp(join(tmpdir(), 'cryo-bench-'));
      const storage = await createFileStorage({ directory });
      return {
        kind,
        storage,
        close: () => (closing ??= storage.close().finally(() => rm(directory, { recursive: true, force: true }))),
      };
    }
    case 'redis': {
      if (!redisUrl) throw new Error('no redis-server available');
      const storage = await createRedisStorage({ url: redisUrl, keyPrefix: `bench-${randomUUID().slice(0, 8)}` });
      return { kind, storage, close: () => (closing ??= storage.close()) };
    }
  }
}

/** A `count`-entry thread built with appends of up to 1,000 entries (the default per-call limit). */
export async function buildThread(storage: Storage, threadId: string, count: number, payload: JsonObject): Promise<void> {
  for (let done = 0; done < count; ) {
    const n = Math.min(1000, count - done);
    await storage.appendEntries({ threadId, entries: Array.from({ length: n }, () => ({ payload: { ...payload } })) });
    done += n;
  }
}
