import { afterAll, beforeAll, describe } from 'vitest';
import type { Storage } from '../types.js';
import { apiKeyTests } from './conformance-api-keys.js';
import { checkpointReplayTests } from './conformance-checkpoint-replay.js';
import { checkpointTests } from './conformance-checkpoints.js';
import { SMALL_LIMITS, type ConformanceContext, type ConformanceFactory } from './conformance-helpers.js';
import { edgeTests } from './conformance-edge.js';
import { isolationTests } from './conformance-isolation.js';
import { journalTests } from './conformance-journal.js';
import { limitTests } from './conformance-limits.js';
import { retentionTests } from './conformance-retention.js';
import { threadLifeTests } from './conformance-thread-life.js';

export { SMALL_LIMITS, type ConformanceFactory, type ConformanceFactoryOptions } from './conformance-helpers.js';

/**
 * The one Storage conformance suite. Call it once per adapter:
 *
 * ```ts
 * describeStorageConformance('memory', async ({ limits }) => ({ storage: createMemoryStorage({ limits }) }));
 * ```
 *
 * The factory is called several times: once with default limits (most tests), once with
 * {@link SMALL_LIMITS} (limit tests, so they write KiB, not MiB) and by tests needing their own.
 * Instances stay open for the whole suite and are shared by its tests; every test uses fresh
 * random namespaces and ids, so a persistent backend may keep data from earlier runs. After
 * the suite it calls `storage.close()`, then `cleanup()`.
 */
export function describeStorageConformance(name: string, factory: ConformanceFactory): void {
  describe(`Storage conformance: ${name}`, () => {
    const opened: { storage: Storage; cleanup?: () => Promise<void> }[] = [];
    let main: Storage | undefined;
    let small: Storage | undefined;
    const ctx: ConformanceContext = {
      factory,
      storage: () => main ?? fail(),
      small: () => small ?? fail(),
    };

    beforeAll(async () => {
      const a = await factory({});
      opened.push(a);
      main = a.storage;
      const b = await factory({ limits: SMALL_LIMITS });
      opened.push(b);
      small = b.storage;
    });

    afterAll(async () => {
      for (const { storage, cleanup } of opened.reverse()) {
        await storage.close();
        await cleanup?.();
      }
    });

    journalTests(ctx);
    checkpointTests(ctx);
    checkpointReplayTests(ctx);
    threadLifeTests(ctx);
    isolationTests(ctx);
    limitTests(ctx);
    edgeTests(ctx);
    apiKeyTests(ctx);
    retentionTests(ctx);
  });
}

function fail(): never {
  throw new Error('conformance factory did not open a storage');
}
