/**
 * Compile-only check (run by `npm run typecheck`, not by Vitest): every adapter factory returns
 * something assignable to the one Storage interface, so an adapter that drifts from it fails tsc.
 * Adapters add their factory to the object below.
 */
import { createFileStorage } from '../../src/storage/file/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import type { Storage } from '../../src/storage/types.js';

type StorageFactory = (options: never) => Storage | Promise<Storage>;

export const adapterFactories = {
  memory: createMemoryStorage,
  file: createFileStorage,
  redis: createRedisStorage,
} satisfies Record<string, StorageFactory>;

/** The adapter class itself must implement Storage (not only the factory's declared type). */
export type AdapterResults = { [K in keyof typeof adapterFactories]: Awaited<ReturnType<(typeof adapterFactories)[K]>> };
const check: { [K in keyof AdapterResults]: AdapterResults[K] extends Storage ? true : never } = { memory: true, file: true, redis: true };
void check;
