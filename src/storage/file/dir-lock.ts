import { join, resolve } from 'node:path';
import { realpath } from 'node:fs/promises';
import { acquireStoreLock, type StoreLock } from '../store-lock.js';
import { LOCK_FILE } from './names.js';

/** A held directory lock. */
export type DirLock = StoreLock;

/**
 * Takes the data directory's lock: a kernel lock on its `LOCK` file (see acquireStoreLock in
 * src/storage/store-lock.ts), which names this process while held. A live holder — another
 * process, or an earlier open in this one — makes this throw StorageUnavailable naming the
 * directory and the holder; a dead one (exited, killed, a zombie not yet reaped) never blocks.
 * Does NOT protect on filesystems without working `flock` (some network mounts).
 */
export async function acquireDirLock(directory: string): Promise<DirLock> {
  // The real path, so the messages name the directory as a second open through a symlink sees it.
  const dir = await realpath(resolve(directory));
  return acquireStoreLock(join(dir, LOCK_FILE), `file storage ${dir}`);
}
