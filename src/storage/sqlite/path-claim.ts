import { StorageUnavailable } from '../../domain/errors.js';

/** Database files this process has open. */
const claimed = new Set<string>();

/** This process's claim on a database file; `release()` is idempotent. */
export interface PathClaim {
  release(): void;
}

/**
 * Refuses a second open of the same file in this process with a clear message, before SQLite's
 * own lock (which refuses it too, and other processes) is tried. Compares absolute paths as given:
 * SQLite's lock still catches a second open through another path (a symlink).
 */
export async function claimPath(path: string): Promise<PathClaim> {
  if (claimed.has(path)) throw new StorageUnavailable(`sqlite storage ${path} is already open in this process (pid ${process.pid})`);
  claimed.add(path);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      claimed.delete(path);
    },
  };
}
