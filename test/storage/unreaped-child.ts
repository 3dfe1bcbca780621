import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { procStat } from '../../src/storage/legacy-lock.js';
import { eventually } from '../support/eventually.js';

/** A child whose parent never reaps it: once dead it stays a zombie until `dispose()`. */
export interface UnreapedChild {
  /** The child's pid (not the pid of the parent that keeps it un-reaped). */
  pid: number;
  /** Its stdout lines so far. */
  lines: string[];
  /** Resolves when `predicate(lines)` holds; rejects if its stdout ends first. */
  until(predicate: (lines: string[]) => boolean): Promise<void>;
  /** Resolves once its stdout is closed (it has exited and every line it wrote is in `lines`). */
  ended: Promise<void>;
  /** Kills the parent that never reaps (init then reaps the child) and waits for it. */
  dispose(): Promise<void>;
}

/**
 * Starts `command ...args` under `sh -c '… & exec sleep'`: the shell forks the child,
 * then becomes `sleep`, which never calls wait(). When the child dies it is a zombie (state Z in
 * /proc/<pid>/stat) for as long as the sleep lives — a supervisor that reaps late, or never.
 */
export async function startUnreapedChild(command: string, args: string[], env: Record<string, string> = {}): Promise<UnreapedChild> {
  const script = '"$@" & echo "$!" >&2; exec sleep 600 >/dev/null 2>&1';
  const parent: ChildProcessWithoutNullStreams = spawn('sh', ['-c', script, 'sh', command, ...args], {
    env: { ...process.env, ...env },
  });
  const parentClosed = once(parent, 'close');
  const [pidLine] = (await once(createInterface({ input: parent.stderr }), 'line')) as [string];
  // Only once the shell has become `sleep` is the child's parent one that never reaps.
  await eventually(async () => {
    if ((await readFile(`/proc/${parent.pid}/comm`, 'utf8')).trim() !== 'sleep') throw new Error('not yet sleep');
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const stdout = createInterface({ input: parent.stdout });
  stdout.on('line', (line) => {
    lines.push(line);
    for (const check of [...waiters]) check();
  });
  const ended = once(stdout, 'close').then(() => undefined);
  return {
    pid: Number(pidLine),
    lines,
    ended,
    until: (predicate) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate(lines)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
        void ended.then(() => {
          if (waiters.delete(check)) reject(new Error(`child ${pidLine} ended first after ${lines.length} lines`));
        });
      }),
    dispose: async () => {
      parent.kill('SIGKILL');
      await parentClosed;
    },
  };
}

/** The state letter of a process (R, S, D, T, Z, …) from /proc/<pid>/stat, or null when it is gone. */
export async function processState(pid: number): Promise<string | null> {
  return (await procStat(pid))?.state ?? null;
}
