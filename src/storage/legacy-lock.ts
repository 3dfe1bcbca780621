import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { LockHolder } from './store-lock.js';

/**
 * Lock files written by Cryo before it took a kernel lock held only a pid: their holder took no
 * `flock`, so that it is not locked says nothing. Such a file still blocks while the process it
 * names is alive, so a store is never opened twice while an older server is being replaced.
 * Every lock file written since carries `lock: 'flock'` and is decided by the kernel lock alone.
 */
export function isLegacyLock(holder: LockHolder): boolean {
  return holder.lock !== 'flock';
}

/**
 * Whether the process named by a legacy lock file is alive. Dead: no such pid; a zombie or dying
 * process (state Z or X in /proc/<pid>/stat: it has exited but is not reaped yet); a pid reused by
 * another process (its start time differs from the one recorded, Linux only); our own pid (this
 * process does not hold the file, so an earlier process with the same pid wrote it — common for
 * pid 1 in containers). A holder on another host cannot be checked and counts as alive. Without
 * /proc (not Linux) a reused pid counts as alive.
 */
export async function legacyHolderAlive(holder: LockHolder): Promise<boolean> {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await procStat(holder.pid);
  if (!stat) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return !holder.procStart || stat.start === holder.procStart;
}

/** This process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null without /proc. */
export async function procStart(pid: number): Promise<string | null> {
  return (await procStat(pid))?.start ?? null;
}

/** State (field 3) and start time (field 22) of /proc/<pid>/stat, or null where it cannot be read. */
export async function procStat(pid: number): Promise<{ state: string; start: string } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, start] = [fields[0], fields[19]];
    return state && start ? { state, start } : null;
  } catch {
    return null;
  }
}
