/**
 * Retention on the sqlite adapter (issue 12), part of the embedded-store bench:
 *
 * - space: a ~50 MB journal (~0.9 KB entries), trimmed by 90% with trimThread; bytes of the database
 *   file after a clean close (WAL checkpointed and removed) before and after the trim;
 * - bytes on disk per byte of entries of ~100 B, ~1 KB and ~4 KB (bench/lib/sqlite-entry-space.ts);
 * - append cost: N single-entry appends by 32 concurrent callers to one thread with maxEntries
 *   1,000, against the same without a policy (fresh store each, the variants alternating over
 *   the rounds; the median round counts).
 *
 * Does NOT measure stores created before schema 2 (no auto-vacuum: their file keeps its size,
 * freed pages are reused) or cold caches.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/index.js';
import { benchSqliteEntrySpace } from './sqlite-entry-space.js';
import { median, runConcurrent } from './stats.js';
import { fmt, type Row } from './table.js';

/** Sizes of one run. */
export interface SqliteRetentionOptions {
  /** Bytes of the journal trimmed by 90%. */
  journalBytes: number;
  /** Appends per round of the append-cost comparison. */
  appends: number;
  /** Rounds of the append-cost comparison. */
  rounds: number;
  log?: (line: string) => void;
}

/** Sizes for `--quick` and for the full run. */
export const SQLITE_RETENTION_SIZES = {
  quick: { journalBytes: 10 * 2 ** 20, appends: 20_000, rounds: 2 },
  full: { journalBytes: 50 * 2 ** 20, appends: 100_000, rounds: 4 },
} as const;

const SECTION = 'Embedded';
/**
 * ~0.9 KB entries (kept at this size so the figures compare with those measured on the WITHOUT
 * ROWID layout, which stored rows under 1,004 bytes densely: src/storage/sqlite/README.md, "Layout").
 */
const PAD = 'x'.repeat(800);
const ENTRY_BYTES = 900;
const MAX_ENTRIES = 1000;

/** Runs both measurements and returns their rows. */
export async function benchSqliteRetention(options: SqliteRetentionOptions): Promise<Row[]> {
  const log = options.log ?? (() => {});
  log(`  sqlite retention: trim 90% of a ${fmt(options.journalBytes / 2 ** 20)} MiB journal`);
  const space = await trimSpace(options.journalBytes);
  log(`  sqlite retention: ${fmt(options.appends)} appends with maxEntries ${MAX_ENTRIES} vs none, ${options.rounds} rounds`);
  const cost = await appendCost(options.appends, options.rounds);
  const entrySpace = await benchSqliteEntrySpace(options.journalBytes, log);
  return [
    ...entrySpace,
    {
      section: SECTION,
      name: `db file after trimming 90% of a ${fmt(options.journalBytes / 2 ** 20)} MiB journal, sqlite`,
      value: space.after / 2 ** 20,
      unit: 'MiB',
      baseline: { name: 'db file before the trim', value: space.before / 2 ** 20 },
      target: { on: 'ratio', kind: 'max', bound: 0.15 },
      note:
        `${fmt(space.entries)} entries of ~0.9 KB, trimThread(beforeSeq ${fmt(space.beforeSeq)}) took ${fmt(space.trimMs)} ms ` +
        `(delete + incremental_vacuum of ${fmt(space.vacuumedPages)} pages, one commit); file bytes after a clean close; ` +
        `stores made before schema 2 keep their size (freed pages reused)`,
    },
    {
      section: SECTION,
      name: `append cost with maxEntries ${fmt(MAX_ENTRIES)}, ${fmt(options.appends)} appends, sqlite`,
      value: cost.policyMs / options.appends,
      unit: 'ms/append',
      baseline: { name: 'same appends, no policy', value: cost.plainMs / options.appends },
      target: { on: 'ratio', kind: 'max', bound: 1.2 },
      note:
        `32 concurrent callers, 1 entry each, one thread, durable (group commit); median of ${options.rounds} rounds ` +
        `(policy ${cost.policyRuns.map((ms) => fmt(options.appends / (ms / 1000))).join(' / ')} appends/s, ` +
        `none ${cost.plainRuns.map((ms) => fmt(options.appends / (ms / 1000))).join(' / ')}); ` +
        `CPU (main + worker) ${fmt(cost.policyCpu)} vs ${fmt(cost.plainCpu)} µs/append; ` +
        `db file after: ${fmt(cost.policyBytes / 2 ** 20)} MiB with the policy, ${fmt(cost.plainBytes / 2 ** 20)} MiB without`,
    },
  ];
}

interface SpaceFigures {
  entries: number;
  beforeSeq: number;
  before: number;
  after: number;
  trimMs: number;
  vacuumedPages: number;
}

async function trimSpace(journalBytes: number): Promise<SpaceFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-sqlite-trim-'));
  const path = join(dir, 'cryo.db');
  try {
    const entries = Math.ceil(journalBytes / ENTRY_BYTES);
    let storage = await createSqliteStorage({ path });
    for (let written = 0; written < entries; written += 500) {
      const n = Math.min(500, entries - written);
      await storage.appendEntries({ threadId: 'long', entries: Array.from({ length: n }, (_, i) => ({ payload: { i, pad: PAD } })) });
    }
    await storage.close();
    const before = (await stat(path)).size;
    if (before < journalBytes) throw new Error(`the journal takes ${before} bytes, expected at least ${journalBytes}`);
    storage = await createSqliteStorage({ path });
    const beforeSeq = Math.floor(entries * 0.9);
    const t0 = performance.now();
    const result = await storage.trimThread({ threadId: 'long', beforeSeq });
    const trimMs = performance.now() - t0;
    const { vacuumedPages } = await storage.stats();
    if (result.dropped !== beforeSeq) throw new Error(`trim dropped ${result.dropped}, expected ${beforeSeq}`);
    await storage.close();
    const after = (await stat(path)).size;
    return { entries, beforeSeq, before, after, trimMs, vacuumedPages };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface CostFigures {
  policyMs: number;
  plainMs: number;
  policyRuns: number[];
  plainRuns: number[];
  policyBytes: number;
  plainBytes: number;
  /** Process CPU (main + worker thread) per append, µs, median round. */
  policyCpu: number;
  plainCpu: number;
}

async function appendCost(appends: number, rounds: number): Promise<CostFigures> {
  const runs = { policy: [] as number[], plain: [] as number[] };
  const cpu = { policy: [] as number[], plain: [] as number[] };
  const bytes = { policy: 0, plain: 0 };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['policy', 'plain'] as const) : (['plain', 'policy'] as const);
    for (const variant of order) {
      const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-sqlite-cost-'));
      const path = join(dir, 'cryo.db');
      let storage: SqliteStorage | undefined;
      try {
        storage = await createSqliteStorage({ path });
        const s = storage;
        const retention = variant === 'policy' ? { maxEntries: MAX_ENTRIES } : null;
        await s.appendEntries({ threadId: 't', entries: [{ payload: { pad: PAD } }], retention });
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await runConcurrent({ concurrency: 32, durationMs: Number.POSITIVE_INFINITY, maxOps: appends }, () =>
          s.appendEntries({ threadId: 't', entries: [{ payload: { pad: PAD } }] }),
        );
        runs[variant].push(performance.now() - t0);
        const used = process.cpuUsage(cpu0);
        cpu[variant].push((used.user + used.system) / appends);
        const head = (await s.getThread({ threadId: 't' }))!;
        if (variant === 'policy' && head.rev - head.firstSeq !== MAX_ENTRIES) throw new Error(`maxEntries kept ${head.rev - head.firstSeq}`);
        await s.close();
        bytes[variant] = (await stat(path)).size;
      } finally {
        await storage?.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  return {
    policyMs: median(runs.policy),
    plainMs: median(runs.plain),
    policyRuns: runs.policy,
    plainRuns: runs.plain,
    policyBytes: bytes.policy,
    plainBytes: bytes.plain,
    policyCpu: median(cpu.policy),
    plainCpu: median(cpu.plain),
  };
}
