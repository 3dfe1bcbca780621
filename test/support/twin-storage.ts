import { StorageUnavailable } from '../../src/domain/errors.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';

/** The clock of every {@link twinStorage}: two of them answer the same calls with the same times. */
export const TWIN_NOW = new Date('2026-03-04T05:06:07.089Z');

/**
 * Memory storage for tests that send the same requests to two servers and compare the answers:
 * a fixed clock ({@link TWIN_NOW}), and getThread failing for two magic thread ids, so the
 * masking paths are exercised too: `boom` throws a plain Error (an unexpected error: masked),
 * `down` throws StorageUnavailable (a typed error).
 */
export function twinStorage(): Storage {
  const inner = createMemoryStorage({ now: () => TWIN_NOW });
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'getThread') {
        return async (options: { threadId: string }) => {
          if (options.threadId === 'boom') throw new Error('disk on fire at /secret/path');
          if (options.threadId === 'down') throw new StorageUnavailable('redis went away');
          return target.getThread(options as never);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
