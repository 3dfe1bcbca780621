import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { link, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { StorageUnavailable } from '../../domain/errors.js';
import { LOCK_FILE } from './names.js';

/** What the lock file holds. */
interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** Linux: the holder's start time in clock ticks since boot (/proc/<pid>/stat), to detect pid reuse. */
  procStart?: string | null;
}

/** Directories locked by this process (a second open in the same process must fail too). */
const lockedHere = new Set<string>();

/** A held directory lock. */
export interface DirLock {
  readonly path: string;
  /** Removes the lock file. Idempotent. */
  release(): Promise<void>;
}

/**
 * Takes the data directory's lock: creates `LOCK` exclusively with this process's pid and host.
 * A lock left by a dead process on this host is taken over; a live holder (or one on another
 * host, whose pid cannot be checked) makes this throw StorageUnavailable naming the directory
 * and the holder. On Linux a pid reused by another process is recognised by its start time;
 * elsewhere such a lock must be removed by hand. Does NOT protect against two processes taking
 * over the same stale lock at the same instant, nor on network filesystems without atomic
 * exclusive create.
 */
export async function acquireDirLock(directory: string): Promise<DirLock> {
  // The real path, so a second open through a symlink is recognised as the same directory.
  const dir = await realpath(resolve(directory));
  const path = join(dir, LOCK_FILE);
  if (lockedHere.has(dir)) {
    throw new StorageUnavailable(`file storage ${dir} is already open in this process (pid ${process.pid})`);
  }
  lockedHere.add(dir);
  try {
    await create(path, dir);
  } catch (error) {
    lockedHere.delete(dir);
    throw error;
  }
  let released = false;
  return {
    path,
    release: async () => {
      if (released) return;
      released = true;
      await unlink(path).catch(() => {});
      lockedHere.delete(dir);
    },
  };
}

async function create(path: string, dir: string): Promise<void> {
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    procStart: await procStart(process.pid),
  };
  // Written aside, then hard-linked into place: the lock file never exists half-written.
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(info));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(temp, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      await checkHolder(path, dir);
    }
  } finally {
    await unlink(temp).catch(() => {});
  }
  throw new StorageUnavailable(`file storage ${dir}: could not take the lock ${path}`);
}

/** Throws when a live process holds the lock; moves a stale lock out of the way. */
async function checkHolder(path: string, dir: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder && (await isAlive(holder))) {
    throw new StorageUnavailable(
      `file storage ${dir} is locked by process ${holder.pid} on ${holder.host} (since ${holder.startedAt}); ` +
        `stop that process, or remove ${path} if it is gone`,
    );
  }
  // Stale: its process is dead (or the file is unreadable garbage). Move it aside, then retry.
  await rename(path, `${path}.stale-${process.pid}`).catch(() => {});
  await unlink(`${path}.stale-${process.pid}`).catch(() => {});
}

async function readHolder(path: string): Promise<LockInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? 'unknown'),
      procStart: typeof parsed.procStart === 'string' ? parsed.procStart : null,
    };
  } catch {
    return null;
  }
}

async function isAlive(holder: LockInfo): Promise<boolean> {
  if (holder.host !== hostname()) return true;
  // Not open in this process (checked first), so a lock with our pid is from an earlier process
  // that had the same pid (common for pid 1 in containers).
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (holder.procStart) {
    const now = await procStart(holder.pid);
    if (now !== null && now !== holder.procStart) return false;
  }
  return true;
}

/** Field 22 of /proc/<pid>/stat (start time since boot), or null where /proc is unavailable. */
async function procStart(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it follow the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
