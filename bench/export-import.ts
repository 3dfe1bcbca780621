/**
 * Export and import throughput (entries/s) and peak RSS of the `cryo` command on a large file
 * store: seeds `threads × perThread` entries (100-byte payloads) into a fresh file store, runs
 * `cryo export` to a file and `cryo import` of that file into a second fresh file store, each as
 * its own process under /usr/bin/time (peak RSS), and checks the counts.
 * Run: `npx tsx bench/export-import.ts [entries=1000000] [perThread=1000]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStorage } from '../src/storage/file/index.js';

const BIN = fileURLToPath(new URL('../bin/cryo.mjs', import.meta.url));
const [entriesArg, perThreadArg] = process.argv.slice(2).map(Number);
const total = entriesArg || 1_000_000;
const perThread = perThreadArg || 1000;

/** Runs `cryo args` under /usr/bin/time -v; returns seconds and peak RSS in MiB. Throws on a non-zero exit. */
function timed(args: readonly string[]): { seconds: number; rssMiB: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`cryo ${args[0]} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  return { seconds, rssMiB: kb / 1024 };
}

const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-exim-'));
try {
  const source = join(dir, 'source');
  const storage = await createFileStorage({ directory: source });
  const seedStart = performance.now();
  const payload = { text: 'x'.repeat(100) };
  for (let t = 0, written = 0; written < total; t++) {
    const n = Math.min(perThread, total - written);
    for (let seq = 0; seq < n; seq += 1000) {
      const count = Math.min(1000, n - seq);
      await storage.appendEntries({ threadId: `t-${String(t).padStart(7, '0')}`, entries: Array.from({ length: count }, () => ({ kind: 'bench', payload })) });
    }
    written += n;
  }
  await storage.close();
  console.log(`seeded ${total} entries in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const file = join(dir, 'export.ndjson');
  for (const [name, args] of [
    ['export', ['export', '--storage', `file:${source}`, '--out', file]],
    ['import', ['import', '--storage', `file:${join(dir, 'target')}`, '--in', file]],
  ] as const) {
    const { seconds, rssMiB } = timed(args);
    console.log(`${name}: ${total} entries in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} entries/s, peak RSS ${rssMiB.toFixed(0)} MiB`);
  }
  console.log(`export file: ${((await stat(file)).size / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
