import { describeStorageConformance as describeStorageSuite } from './conformance.js';
import { describePersistSuite } from './persist-suite.js';
import type { ConformanceFactory } from './conformance-helpers.js';
import type { Limits } from '../../domain/limits.js';
import type { Storage } from '../types.js';

/**
 * `cryo/storage/conformance`: the Storage conformance suite for Vitest (docs/adapters.md). It
 * imports `vitest`, so only code that runs under Vitest may import this entry.
 */

export { EventLog, rejection, rid, SMALL_LIMITS, type ConformanceFactory, type ConformanceFactoryOptions } from './conformance-helpers.js';

/** The object form of {@link describeStorageConformance}. */
export interface ConformanceSuite {
  /** Shown in the test names: `Storage conformance: <name>`. */
  name: string;
  /**
   * Opens one fresh instance with the given limits overrides (apply them over DEFAULT_LIMITS;
   * `{}` most of the time).
   * Called a few times per run (default limits, SMALL_LIMITS, the persist suite, and tests that
   * need an instance of their own); the instances stay open for the whole suite and are shared
   * by its tests, which use fresh random namespaces and ids, so a persistent backend may keep
   * data from earlier runs.
   */
  create: (options: { limits: Partial<Limits> }) => Promise<Storage>;
  /** Runs after the suite closed `storage` (e.g. removes its directory). */
  destroy?: (storage: Storage) => Promise<void>;
}

/**
 * Declares the whole conformance suite — journal semantics, expected-rev and retries,
 * checkpoints and their pointers, thread lives, namespaces, limits, the live change feed,
 * API keys, trim and retention (`Storage conformance: <name>`), then hibernate and thaw over the
 * adapter (`persist over <name>`) — for one adapter. Call it at the top
 * level of a test file:
 *
 * ```ts
 * describeStorageConformance({ name: 'mine', create: ({ limits }) => openMine({ limits }), destroy: (s) => removeMine(s) });
 * describeStorageConformance('mine', async ({ limits }) => ({ storage: await openMine({ limits }), cleanup }));
 * ```
 *
 * It promises that an adapter that passes behaves, as far as these tests can tell, like the
 * built-in ones; it does not test durability across crashes or multi-process sharing (those are
 * adapter-specific tests).
 */
export function describeStorageConformance(suite: ConformanceSuite): void;
export function describeStorageConformance(name: string, factory: ConformanceFactory): void;
export function describeStorageConformance(suite: ConformanceSuite | string, factory?: ConformanceFactory): void {
  if (typeof suite === 'string') {
    if (!factory) throw new TypeError('describeStorageConformance(name, factory): factory is missing');
    describeSuite(suite, factory);
    return;
  }
  const { create, destroy } = suite;
  describeSuite(suite.name, async (options) => {
    const storage = await create({ limits: options.limits ?? {} });
    return { storage, cleanup: destroy ? () => destroy(storage) : undefined };
  });
}

/** The Storage suite, then hibernate/thaw (src/persist.ts) over the same adapter. */
function describeSuite(name: string, factory: ConformanceFactory): void {
  describeStorageSuite(name, factory);
  describePersistSuite(name, factory);
}
