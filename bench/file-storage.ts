/**
 * Durable append throughput of the file adapter (every append is fsynced before it resolves;
 * group commit lets concurrent appends share flushes).
 *
 *   npx tsx bench/file-storage.ts [durationMs]
 *
 * Cases: 1 writer; 32 writers each on its own thread; 32 writers on one thread. One entry per
 * append, small payload. The command line runs every case in both durability modes
 * (`per-thread-fsync`, `wal`), interleaved, in one run. Then the start-up cost: opening a store
 * of 200k entries. Figures depend on the disk's fsync latency and on other load: compare runs
 * on one quiet machine.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFileStorage, DEFAULT_FILE_DURABILITY, type FileDurability } from '../src/storage/file/index.js';

/** Options of {@link benchFileStorage}. */
export interface FileBenchOptions {
  /** How long each case runs. @default 2000 */
  durationMs?: number;
  /** Parent directory of the temp data directories. @default os.tmpdir() */
  parentDirectory?: string;
  /** Payload size per entry in bytes. @default 100 */
  payloadBytes?: number;
  /**
   * Durability modes to measure; each case runs once per mode (case names get the mode appended
   * when more than one is given). @default [the adapter's default mode]
   */
  modes?: FileDurability[];
}

/** One measured case. */
export interface FileBenchCase {
  name: string;
  writers: number;
  threads: number;
  appends: number;
  seconds: number;
  appendsPerSecond: number;
  /** Appends acknowledged per group-commit round. */
  appendsPerRound: number;
  /** fsync/fdatasync calls per append (below 1 means flushes were shared). */
  syncCallsPerAppend: number;
  /** The durability mode measured. */
  durability: FileDurability;
  /** Appends per fsync/fdatasync call during the run (1 / syncCallsPerAppend). */
  appendsPerSync: number;
  /**
   * fsync/fdatasync calls per append counting also the flushes of closing the store (in `wal`
   * mode: the final checkpoint that flushes every journal written and empties the log).
   */
  syncCallsPerAppendWithClose: number;
  /** Log checkpoints during the run (`wal` only). */
  walCheckpoints: number;
}

/** Runs the three cases one after another, each on a fresh directory that is removed afterwards. */
export async function benchFileStorage(options: FileBenchOptions = {}): Promise<FileBenchCase[]> {
  const durationMs = options.durationMs ?? 2000;
  const payload = { text: 'x'.repeat(options.payloadBytes ?? 100) };
  const cases = [
    { name: '1 writer', writers: 1, threads: 1 },
    { name: '32 writers, 32 threads', writers: 32, threads: 32 },
    { name: '32 writers, 1 thread', writers: 32, threads: 1 },
  ];
  const modes = options.modes ?? [DEFAULT_FILE_DURABILITY];
  const results: FileBenchCase[] = [];
  for (const base of cases) {
    for (const durability of modes) {
      const spec = { ...base, name: modes.length > 1 ? `${base.name} [${durability}]` : base.name };
      results.push(await runCase(spec, durability, durationMs, payload, options.parentDirectory));
    }
  }
  return results;
}

async function runCase(
  spec: { name: string; writers: number; threads: number },
  durability: FileDurability,
  durationMs: number,
  payload: { text: string },
  parentDirectory: string | undefined,
): Promise<FileBenchCase> {
  const directory = await mkdtemp(join(parentDirectory ?? tmpdir(), 'cryo-bench-file-'));
  const storage = await createFileStorage({ directory, durability });
  let closed = false;
  try {
    const threadIds = Array.from({ length: spec.threads }, (_, i) => `bench-${i}`);
    for (const threadId of threadIds) await storage.appendEntries({ threadId, entries: [{ payload }] });
    const before = storage.stats();
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      Array.from({ length: spec.writers }, async (_, w) => {
        while (performance.now() < deadline) {
          await storage.appendEntries({ threadId: threadIds[w % spec.threads]!, entries: [{ payload }] });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = storage.stats();
    await storage.close();
    closed = true;
    const final = storage.stats();
    const appends = after.appends - before.appends;
    const rounds = after.rounds - before.rounds;
    const syncCalls = after.syncCalls - before.syncCalls;
    return {
      ...spec,
      appends,
      seconds,
      appendsPerSecond: appends / seconds,
      appendsPerRound: rounds ? appends / rounds : 0,
      syncCallsPerAppend: appends ? syncCalls / appends : 0,
      durability,
      appendsPerSync: syncCalls ? appends / syncCalls : 0,
      syncCallsPerAppendWithClose: appends ? (final.syncCalls - before.syncCalls) / appends : 0,
      walCheckpoints: after.walCheckpoints - before.walCheckpoints,
    };
  } finally {
    if (!closed) await storage.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** Options of {@link benchFileOpen}. */
export interface FileOpenBenchOptions {
  /** Entries written before reopening. @default 200_000 */
  entries?: number;
  /** Threads they are spread over. @default 10 */
  threads?: number;
  /** Parent directory of the temp data directory. @default os.tmpdir() */
  parentDirectory?: string;
}

/** Start-up cost: how long opening takes (every journal is scanned) for a given amount of data. */
export async function benchFileOpen(
  options: FileOpenBenchOptions = {},
): Promise<{ entries: number; bytes: number; openMs: number; tailReadMs: number }> {
  const entries = options.entries ?? 200_000;
  const threads = options.threads ?? 10;
  const directory = await mkdtemp(join(options.parentDirectory ?? tmpdir(), 'cryo-bench-open-'));
  try {
    const writer = await createFileStorage({ directory });
    const payload = { text: 'x'.repeat(100) };
    const perAppend = 1000;
    for (let written = 0, i = 0; written < entries; written += perAppend, i++) {
      const n = Math.min(perAppend, entries - written);
      await writer.appendEntries({ threadId: `t${i % threads}`, entries: Array.from({ length: n }, () => ({ payload })) });
    }
    await writer.close();
    const started = performance.now();
    const storage = await createFileStorage({ directory });
    const openMs = performance.now() - started;
    const tailStarted = performance.now();
    await storage.readTail({ threadId: 't0', limit: 50 });
    const tailReadMs = performance.now() - tailStarted;
    let bytes = 0;
    for (const file of await readdir(join(directory, 'threads'))) bytes += (await stat(join(directory, 'threads', file))).size;
    await storage.close();
    return { entries, bytes, openMs, tailReadMs };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.argv[2] ?? 2000);
  const results = await benchFileStorage({ durationMs, modes: ['per-thread-fsync', 'wal'] });
  console.log('case                                         appends/s  appends/round  fsyncs/append  appends/fsync  fsyncs/append incl. close');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(43)} ${r.appendsPerSecond.toFixed(0).padStart(10)} ${r.appendsPerRound.toFixed(1).padStart(14)} ` +
        `${r.syncCallsPerAppend.toFixed(3).padStart(14)} ${r.appendsPerSync.toFixed(1).padStart(14)} ${r.syncCallsPerAppendWithClose.toFixed(3).padStart(25)}`,
    );
  }
  const open = await benchFileOpen();
  console.log(
    `open with ${open.entries} entries (${(open.bytes / 1e6).toFixed(0)} MB): ${open.openMs.toFixed(0)} ms; ` +
      `then a 50-entry tail read: ${open.tailReadMs.toFixed(1)} ms`,
  );
}
