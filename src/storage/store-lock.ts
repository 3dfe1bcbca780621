import { constants } from 'node:fs';
import { open, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { flockSync } from 'fs-ext';
import { StorageUnavailable } from '../domain/errors.js';
import { isLegacyLock, legacyHolderAlive, procStart } from './legacy-lock.js';

/**
 * What a lock file holds while its lock is held: who holds it, for the refusal message only.
 * `lock: 'flock'` marks a file whose holder keeps a kernel lock on it (older versions wrote the
 * same fields without it and relied on the pid alone; see legacy-lock.ts).
 */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  procStart?: string | null;
  lock?: 'flock';
}

/** A held store lock. */
export interface StoreLock {
  /** The lock file (its real path). */
  readonly path: string;
  /** Removes the lock file and drops the kernel lock. Idempotent; never throws. */
  release(): Promise<void>;
}

/** Lock files held by this process, by real path (a second open in the same process must fail too). */
const heldHere = new Set<string>();

/** How often an acquire starts over when the file it locked was replaced by another process meanwhile. */
const ATTEMPTS = 5;

/**
 * Takes the exclusive lock of one embedded store (a file adapter's directory, a SQLite database):
 * an advisory `flock(LOCK_EX | LOCK_NB)` on `lockFilePath`, created when missing, which then
 * names this process. The kernel drops the lock when the holder's descriptors close, which
 * happens as it exits, however it exits (SIGKILL included) and before it is reaped, so a dead
 * holder — exited, killed, a zombie not yet reaped, a pid reused since — never blocks; a live
 * one always does.
 *
 * Throws StorageUnavailable starting with `description` (e.g. "file storage /data") when a live
 * process holds the lock (naming its pid, host and start), when this process already holds it
 * (through any path, symlinks resolved), or when the file cannot be created or locked. The
 * parent directory must exist. Give it a file of its own, never a database file that its engine
 * locks itself (SQLite's own fcntl locks on that file would be disturbed): the file is removed
 * on release.
 *
 * Does NOT promise: exclusion on filesystems without working `flock` (some network mounts), nor
 * against a program that ignores the lock. A lock file written by an older Cryo, which took no
 * kernel lock, still blocks while the process it names is alive on this host (see legacy-lock.ts).
 */
export async function acquireStoreLock(lockFilePath: string, description: string): Promise<StoreLock> {
  // The real path, so a second open through a symlink is recognised as the same store.
  const path = join(await realpath(dirname(resolve(lockFilePath))), basename(lockFilePath));
  if (heldHere.has(path)) {
    throw new StorageUnavailable(`${description} is already open in this process (pid ${process.pid})`);
  }
  heldHere.add(path);
  try {
    const handle = await lockFile(path, description);
    return held(path, handle);
  } catch (error) {
    heldHere.delete(path);
    if (error instanceof StorageUnavailable) throw error;
    throw new StorageUnavailable(`${description}: cannot lock ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Opens and locks the file at `path`, writes this process into it; returns the locked handle. */
async function lockFile(path: string, description: string): Promise<FileHandle> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      if (!tryLock(handle, path, description)) {
        const holder = parseHolder(await readAll(handle));
        throw new StorageUnavailable(`${description} is locked by ${describe(holder)}; stop that process first`);
      }
      // A releasing holder unlinks the file before it unlocks: the file locked may no longer be the
      // one at `path`, and another process may already hold the one that is. Start over then.
      if (!(await isSameFile(handle, path))) {
        await handle.close();
        continue;
      }
      const previous = parseHolder(await readAll(handle));
      if (previous && isLegacyLock(previous) && (await legacyHolderAlive(previous))) {
        throw new StorageUnavailable(
          `${description} is locked by ${describe(previous)}, an older version without kernel locks; ` +
            `stop that process, or remove ${path} if it is gone`,
        );
      }
      await writeHolder(handle);
      return handle;
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }
  throw new StorageUnavailable(`${description}: could not take the lock ${path} (it kept being replaced)`);
}

/** True when the lock was taken; false when another open file holds it. */
function tryLock(handle: FileHandle, path: string, description: string): boolean {
  try {
    // Non-blocking, so the synchronous call returns at once.
    flockSync(handle.fd, 'exnb');
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
    throw new StorageUnavailable(`${description}: cannot lock ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function held(path: string, handle: FileHandle): StoreLock {
  let released: Promise<void> | null = null;
  const release = async (): Promise<void> => {
    // Unlink first, then unlock (close): an opener that locks the old file after this finds it unlinked.
    if (await isSameFile(handle, path)) await unlink(path).catch(() => {});
    await handle.close().catch(() => {});
    heldHere.delete(path);
  };
  return {
    path,
    release: () => (released ??= release().catch(() => {})),
  };
}

async function isSameFile(handle: FileHandle, path: string): Promise<boolean> {
  try {
    const [opened, named] = await Promise.all([handle.stat(), stat(path)]);
    return opened.dev === named.dev && opened.ino === named.ino;
  } catch {
    return false;
  }
}

async function writeHolder(handle: FileHandle): Promise<void> {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    procStart: await procStart(process.pid),
    lock: 'flock',
  };
  // Informational only (the kernel lock decides), so no flush: after a crash the lock is free anyway.
  await handle.truncate(0);
  await handle.write(JSON.stringify(holder), 0);
}

async function readAll(handle: FileHandle): Promise<string> {
  const { size } = await handle.stat();
  const buffer = Buffer.alloc(Math.min(size, 64 * 1024));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return buffer.subarray(0, bytesRead).toString('utf8');
}

/** The holder named by a lock file's text, or null when it names none (empty, being written, garbage). */
function parseHolder(text: string): LockHolder | null {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? 'unknown'),
      procStart: typeof parsed.procStart === 'string' ? parsed.procStart : null,
      ...(parsed.lock === 'flock' ? { lock: 'flock' as const } : {}),
    };
  } catch {
    return null;
  }
}

function describe(holder: LockHolder | null): string {
  if (!holder) return 'another process';
  return `process ${holder.pid} on ${holder.host} (since ${holder.startedAt})`;
}
