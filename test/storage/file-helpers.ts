import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createFileStorage, type FileStorage, type FileStorageOptions } from '../../src/storage/file/index.js';
import { checkpointName, CHECKPOINTS_DIR, journalName, THREADS_DIR } from '../../src/storage/file/names.js';

/** Both durability modes of the file adapter; every file test runs in each. */
export const DURABILITY_MODES = ['per-thread-fsync', 'wal'] as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = join(root, 'test/storage/fixtures/file-writer-child.ts');
/** The sqlite adapter's child process (test/storage/fixtures/sqlite-writer-child.ts), for {@link startChild}. */
export const SQLITE_CHILD = join(root, 'test/storage/fixtures/sqlite-writer-child.ts');

/** A fresh temp directory for one test; `remove()` deletes it. */
export async function tempDir(prefix = 'cryo-file-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A fresh temp store directory: `open(overrides)` opens a FileStorage there with `defaults` plus
 * the overrides. Every storage opened is closed, then the directory removed, by a cleanup pushed
 * onto `cleanups` (run them in afterEach).
 */
export async function freshStore(
  cleanups: (() => Promise<void>)[],
  defaults: Omit<FileStorageOptions, 'directory'>,
  prefix?: string,
): Promise<{ dir: string; open: (overrides?: Partial<FileStorageOptions>) => Promise<FileStorage> }> {
  const dir = await tempDir(prefix);
  const opened: FileStorage[] = [];
  cleanups.push(async () => {
    for (const storage of opened) await storage.close();
    await dir.remove();
  });
  return {
    dir: dir.path,
    open: async (overrides = {}) => {
      const storage = await createFileStorage({ ...defaults, directory: dir.path, ...overrides });
      opened.push(storage);
      return storage;
    },
  };
}

/** The write-ahead log segments (`WAL.<n>`) in a data directory, oldest first, as full paths. */
export async function walFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => /^WAL\.[0-9]+$/.test(name))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((name) => join(dir, name));
}

/** Every file under `dir`, as paths relative to it. */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

/** A running fixture child: its stdout lines, a way to wait for one, and its exit. */
export interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves when `predicate(lines)` holds (checked on every new line); rejects if the child exits first. */
  until(predicate: (lines: string[]) => boolean): Promise<void>;
  /** Resolves with the exit code or signal once stdout is fully read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Starts `node --import tsx file-writer-child.ts ...args`; `env` adds variables (the fixture reads
 * CRYO_FILE_DURABILITY, CRYO_WAL_MAX_BYTES and CRYO_KILL_AT). `script` runs another fixture instead
 * (e.g. {@link SQLITE_CHILD}, or a bundle from bundle-child.ts).
 */
export function startChild(args: string[], env: Record<string, string> = {}, script = fixture): Child {
  // A bundle (bundle-child.ts, `.mjs`) runs as it is, without tsx's start-up cost.
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...args], { cwd: root, env: { ...process.env, ...env } });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const check of [...waiters]) check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exited,
    until: (predicate) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(lines)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
        void exited.then(({ code, signal }) => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          reject(new Error(`child exited (code ${code}, signal ${signal}) first; stderr: ${stderr}`));
        });
      }),
  };
}

/** The journal path of a thread in a data directory. */
export function journalPath(directory: string, namespace: string, threadId: string): string {
  return join(directory, THREADS_DIR, journalName(namespace, threadId));
}

/** The path of a checkpoint file in a data directory. */
export function checkpointPath(directory: string, namespace: string, agentType: string, agentId: string): string {
  return join(directory, CHECKPOINTS_DIR, checkpointName(namespace, agentType, agentId));
}
