import { ValidationError } from '../domain/errors.js';
import type { Limits } from '../domain/limits.js';
import type { FileDurability } from './file/durability.js';
import type { Storage, StorageLogger } from './types.js';
import { openWithStorageModule } from './storage-module.js';
import { parseStorageUrl } from './url.js';
import { isModuleStorageUrl } from './url-scheme.js';

/** Options every adapter understands; adapter-specific settings may be added as optional fields. */
export interface OpenStorageOptions {
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits> | undefined;
  /** Redis adapter settings (see RedisStorageOptions). */
  redis?: { commandTimeoutMs?: number; keyPrefix?: string };
  /** Postgres adapter settings (see PostgresStorageOptions); a URL's `?schema=` wins over `schema`. */
  postgres?: { timeoutMs?: number; schema?: string; poolSize?: number };
  /** File adapter settings (see FileStorageOptions). */
  file?: { durability?: FileDurability };
  /** Where the adapter reports what opening repaired or refused (the file adapter's recovery). */
  logger?: StorageLogger;
  /**
   * A module (path or package name) whose `createStorage(url, options)` opens URLs whose scheme
   * no built-in adapter knows (CRYO_STORAGE_MODULE, src/storage/storage-module.ts). It gets
   * these same options, `storageModule` included.
   */
  storageModule?: string | null;
}

/**
 * Opens the adapter a storage URL names (see {@link parseStorageUrl}). Each adapter is loaded
 * with a dynamic `import()`, so one adapter's dependencies never load for another. Throws
 * ValidationError for a bad URL; whatever the adapter throws when it cannot open (e.g.
 * StorageUnavailable). A URL of another scheme goes to `options.storageModule` when one is set
 * (StorageModuleError when it cannot be loaded or fails to open). The caller owns the result and
 * must `close()` it.
 */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage> {
  if (options.storageModule && isModuleStorageUrl(url)) return openWithStorageModule(options.storageModule, url.trim(), options);
  const location = parseStorageUrl(url);
  switch (location.kind) {
    case 'memory': {
      const { createMemoryStorage } = await import('./memory/index.js');
      return createMemoryStorage({ limits: options.limits });
    }
    case 'file': {
      const { createFileStorage } = await import('./file/index.js');
      return createFileStorage({ ...options.file, directory: location.path, limits: options.limits, logger: options.logger });
    }
    case 'sqlite': {
      const { createSqliteStorage } = await import('./sqlite/index.js');
      return createSqliteStorage({ path: location.path, limits: options.limits });
    }
    case 'redis': {
      const { createRedisStorage } = await import('./redis/index.js');
      return createRedisStorage({
        ...options.redis,
        url: location.nodes[0],
        cluster: location.cluster ? { rootNodes: location.nodes } : false,
        limits: options.limits,
      });
    }
    case 'postgres': {
      const { createPostgresStorage } = await import('./postgres/index.js');
      return createPostgresStorage({
        ...options.postgres,
        url: location.url,
        schema: location.schema ?? options.postgres?.schema,
        limits: options.limits,
      });
    }
    default:
      throw new ValidationError(`storage kind "${(location as { kind: string }).kind}" is not available in this build`, 'storage');
  }
}
