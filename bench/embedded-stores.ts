/**
 * The embedded store at many agents: the file adapter against the sqlite adapter, same run,
 * same data (issue 18). For each engine:
 *
 * - many small threads (N threads × 1 entry of ~80 bytes): disk, open time, heap per idle thread
 *   after open, first read, a listThreads page in the middle;
 * - a few long threads (10 × M entries): disk, open time, heap, thaw + readTail(50);
 * - durable appends/s at 1 writer and at 32 writers (own threads), appends per fsync (sqlite: per
 *   commit) and the event loop's p99 / longest stall during the 32-writer run.
 *
 *   npx tsx bench/embedded-stores.ts [--quick]      (also part of `npm run bench`)
 *   npx tsx bench/embedded-stores.ts --sqlite-retention [--quick]   (only the sqlite retention rows)
 *
 * Heap is the main isolate's `heapUsed` after a forced GC (the sqlite worker's isolate and SQLite's
 * page cache are outside it: the RSS growth is in the note). Caches are warm (the data was just
 * written). Does NOT measure cold-cache opens or power-loss behaviour.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { thaw } from '../src/persist.js';
import type { Storage } from '../src/storage/types.js';
import { ENGINES, engineLocation, syncCount, type Engine } from './lib/embedded-engines.js';
import { benchSqliteRetention, SQLITE_RETENTION_SIZES } from './lib/sqlite-retention.js';
import { median, runConcurrent } from './lib/stats.js';
import { fmt, type Row } from './lib/table.js';

/** Sizes of one run. */
export interface EmbeddedBenchOptions {
  /** Threads of the small-thread set (the issue's target is 1M). */
  manyThreads: number;
  /** Entries of each of the 10 long threads (the issue's target is 1M). */
  longEntries: number;
  /** Milliseconds of each appends/s run. */
  appendMs: number;
  /** Rounds of appends/s runs, the engines alternating within each (the median counts). */
  appendRounds: number;
  /** Sizes of the sqlite retention rows (bench/lib/sqlite-retention.ts). */
  sqliteRetention: { journalBytes: number; appends: number; rounds: number };
  log?: (line: string) => void;
}

/** Sizes for `--quick` and for the full run. */
export const EMBEDDED_SIZES = {
  quick: { manyThreads: 5_000, longEntries: 10_000, appendMs: 1_000, appendRounds: 2, sqliteRetention: SQLITE_RETENTION_SIZES.quick },
  full: { manyThreads: 100_000, longEntries: 100_000, appendMs: 2_000, appendRounds: 4, sqliteRetention: SQLITE_RETENTION_SIZES.full },
} as const;

const SECTION = 'Embedded';
const LONG_THREADS = 10;
const ISSUE_SCALE = 1_000_000;
const PAYLOAD = { text: 'x'.repeat(70) }; // 81 bytes of JSON
const gc = exposeGc();

/** Runs every measurement for both engines and returns the judged-ready rows. */
export async function benchEmbeddedStores(options: EmbeddedBenchOptions): Promise<Row[]> {
  const log = options.log ?? (() => {});
  const rows: Row[] = [];
  const many = new Map<Engine, SetFigures>();
  const long = new Map<Engine, SetFigures>();
  for (const engine of ENGINES) {
    log(`  embedded ${engine}: ${fmt(options.manyThreads)} threads × 1 entry`);
    many.set(engine, await smallThreads(engine, options.manyThreads));
    log(`  embedded ${engine}: ${LONG_THREADS} threads × ${fmt(options.longEntries)} entries`);
    long.set(engine, await longThreads(engine, options.longEntries));
  }
  log(`  embedded: appends/s, ${options.appendRounds} rounds alternating the engines`);
  const appends = await appendRates(options.appendMs, options.appendRounds);
  const scale = ISSUE_SCALE / options.manyThreads;
  const bareWorkerMs = await bareWorkerStart();
  for (const engine of ENGINES) {
    const m = many.get(engine)!;
    rows.push(
      {
        section: SECTION,
        name: `open, ${fmt(options.manyThreads)} threads × 1 entry, ${engine}`,
        value: m.openMs,
        unit: 'ms',
        target: { on: 'value', kind: 'max', bound: 100 },
        note:
          `first readTail after open ${fmt(m.firstReadMs)} ms; ` +
          (engine === 'file'
            ? `open scans every journal: linear extrapolation to 1M threads ≈ ${fmt((m.openMs * scale) / 1000)} s`
            : `nothing is loaded at open (it does not grow with the data); a bare worker thread starts in ${fmt(bareWorkerMs)} ms on this machine now`) +
          ` (${fmt(options.manyThreads)} threads measured: 1M does not fit the run's time)`,
      },
      {
        section: SECTION,
        name: `heap per idle thread after open, ${fmt(options.manyThreads)} threads, ${engine}`,
        value: m.heapBytes / options.manyThreads,
        unit: 'bytes',
        target: { on: 'value', kind: 'max', bound: 200 },
        note: `main-isolate heap after GC grew ${fmt(m.heapBytes / 2 ** 20)} MiB (≈ ${fmt((m.heapBytes * scale) / 2 ** 30)} GiB at 1M); RSS grew ${fmt(m.rssBytes / 2 ** 20)} MiB (${engine === 'sqlite' ? "worker thread + SQLite's page cache, bounded" : 'heap + buffers'})`,
      },
      {
        section: SECTION,
        name: `disk, ${fmt(options.manyThreads)} threads × 1 entry, ${engine}`,
        value: m.diskBytes / 2 ** 20,
        unit: 'MiB',
        baseline: { name: 'logical bytes: JSON of the heads and entries as read back', value: m.logicalBytes / 2 ** 20 },
        target: { on: 'ratio', kind: 'max', bound: 1.3 },
        note: `allocated blocks after close; ${fmt(m.diskBytes / options.manyThreads)} bytes per thread`,
      },
      {
        section: SECTION,
        name: `listThreads page (100) at ${fmt(options.manyThreads)} threads, ${engine}`,
        value: m.listMs,
        unit: 'ms',
        ...(engine === 'sqlite' ? { baseline: { name: 'file', value: many.get('file')!.listMs } } : {}),
        note: 'median of 50 pages, each after a random thread id',
      },
    );
  }
  for (const engine of ENGINES) {
    const l = long.get(engine)!;
    rows.push(
      {
        section: SECTION,
        name: `open, ${LONG_THREADS} threads × ${fmt(options.longEntries)} entries, ${engine}`,
        value: l.openMs,
        unit: 'ms',
        target: { on: 'value', kind: 'max', bound: 100 },
        note: `heap after open +${fmt(l.heapBytes / 2 ** 20)} MiB, RSS +${fmt(l.rssBytes / 2 ** 20)} MiB; disk ${fmt(l.diskBytes / 2 ** 20)} MiB for ${fmt(l.logicalBytes / 2 ** 20)} MiB logical; at 1M entries/thread ≈ ${fmt((l.openMs * ISSUE_SCALE) / options.longEntries / 1000)} s (linear)`,
      },
      {
        section: SECTION,
        name: `thaw + tail(50) of a ${fmt(options.longEntries)}-entry thread, ${engine}`,
        value: l.thawMs,
        unit: 'ms',
        ...(engine === 'sqlite' ? { baseline: { name: 'file', value: long.get('file')!.thawMs } } : {}),
        note: 'median of 20, after open',
      },
    );
  }
  const fileRate = appends.get('file')!.rate32;
  for (const engine of ENGINES) {
    const a = appends.get(engine)!;
    rows.push(
      {
        section: SECTION,
        name: `durable appends/s, 1 writer, ${engine}`,
        value: a.rate1,
        unit: 'appends/s',
        ...(engine === 'sqlite' ? { baseline: { name: 'file adapter, same rounds', value: appends.get('file')!.rate1 } } : {}),
        note: `median of ${options.appendRounds} rounds: ${a.runs1.map((r) => fmt(r)).join(' / ')}`,
      },
      {
        section: SECTION,
        name: `durable appends/s, 32 writers (own threads), ${engine}`,
        value: a.rate32,
        unit: 'appends/s',
        ...(engine === 'sqlite' ? { baseline: { name: 'file adapter, same rounds', value: fileRate }, target: { on: 'ratio' as const, kind: 'min' as const, bound: 1.5 } } : {}),
        note: `median of ${options.appendRounds} rounds (the engines alternate): ${a.runs32.map((r) => fmt(r)).join(' / ')}`,
      },
      {
        section: SECTION,
        name: `appends per fsync, 32 writers, ${engine}`,
        value: a.perSync,
        unit: 'appends/fsync',
        note: engine === 'sqlite' ? 'per commit (synchronous=FULL: one WAL fsync per commit)' : 'flush calls of the default wal mode',
      },
      {
        section: SECTION,
        name: `event-loop delay p99 during the 32-writer run, ${engine}`,
        value: a.loopP99Ms,
        unit: 'ms',
        target: { on: 'value', kind: 'max', bound: 5 },
        note: `median of the rounds' p99s: ${a.loopP99s.map((r) => fmt(r)).join(' / ')} ms; longest stall of all rounds ${fmt(a.loopMaxMs)} ms (monitorEventLoopDelay, 1 ms resolution)`,
      },
    );
  }
  rows.push(...(await benchSqliteRetention({ ...options.sqliteRetention, log })));
  return rows;
}

interface SetFigures {
  openMs: number;
  firstReadMs: number;
  heapBytes: number;
  rssBytes: number;
  diskBytes: number;
  logicalBytes: number;
  listMs: number;
  thawMs: number;
}

async function smallThreads(engine: Engine, threads: number): Promise<SetFigures> {
  const location = await engineLocation(engine);
  try {
    const writer = await location.open();
    let logicalBytes = 0;
    await runConcurrent({ concurrency: 64, durationMs: Number.POSITIVE_INFINITY, maxOps: threads }, async (w, n) => {
      const i = n * 64 + w;
      const result = await writer.appendEntries({ threadId: threadName(i), entries: [{ payload: PAYLOAD }] });
      const { id, rev, metadata, createdAt, updatedAt } = result.thread; // the same fields for both engines
      logicalBytes += jsonBytes({ id, rev, metadata, createdAt, updatedAt }) + jsonBytes(result.entries[0]);
    });
    await writer.close();
    const figures = await reopen(location, threads);
    return { ...figures, logicalBytes };
  } finally {
    await location.remove();
  }
}

async function longThreads(engine: Engine, entries: number): Promise<SetFigures> {
  const location = await engineLocation(engine);
  try {
    const writer = await location.open();
    let logicalBytes = 0;
    for (let t = 0; t < LONG_THREADS; t++) {
      for (let written = 0; written < entries; written += 1000) {
        const n = Math.min(1000, entries - written);
        const result = await writer.appendEntries({ threadId: `long-${t}`, entries: Array.from({ length: n }, () => ({ payload: PAYLOAD })) });
        for (const entry of result.entries) logicalBytes += jsonBytes(entry);
      }
    }
    await writer.putCheckpoint({ agentType: 'bench', agentId: 'long', state: { step: 1 }, thread: { id: 'long-0', rev: entries } });
    await writer.close();
    const figures = await reopen(location, LONG_THREADS, async (storage) => {
      const samples: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        const result = await thaw(storage, { agentType: 'bench', agentId: 'long' });
        const tail = await storage.readTail({ threadId: 'long-0', limit: 50 });
        samples.push(performance.now() - t0);
        if (result.thread?.rev !== entries || tail.entries.length !== 50) throw new Error('thaw read the wrong thread');
      }
      return median(samples);
    });
    return { ...figures, logicalBytes };
  } finally {
    await location.remove();
  }
}

async function reopen(
  location: Awaited<ReturnType<typeof engineLocation>>,
  threads: number,
  thawTime?: (storage: Storage) => Promise<number>,
): Promise<Omit<SetFigures, 'logicalBytes'>> {
  const diskBytes = await location.diskBytes();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const storage = await location.open();
  const openMs = performance.now() - t0;
  try {
    const t1 = performance.now();
    await storage.readTail({ threadId: threads === LONG_THREADS ? 'long-0' : threadName(0), limit: 50 });
    const firstReadMs = performance.now() - t1;
    gc();
    const heapBytes = Math.max(0, process.memoryUsage().heapUsed - heap0);
    const rssBytes = Math.max(0, process.memoryUsage().rss - rss0);
    const list: number[] = [];
    for (let i = 0; i < 50; i++) {
      const after = threadName(Math.floor(Math.random() * threads));
      const t2 = performance.now();
      await storage.listThreads({ first: 100, after });
      list.push(performance.now() - t2);
    }
    const thawMs = thawTime ? await thawTime(storage) : Number.NaN;
    return { openMs, firstReadMs, heapBytes, rssBytes, diskBytes, listMs: median(list), thawMs };
  } finally {
    await storage.close();
  }
}

interface AppendFigures {
  rate1: number;
  runs1: number[];
  rate32: number;
  runs32: number[];
  perSync: number;
  loopP99Ms: number;
  loopP99s: number[];
  loopMaxMs: number;
}

/**
 * Both engines open side by side; each round runs 1 writer then 32 writers (own threads) on one
 * engine, then on the other (the order flips every round), so load from outside hits both alike.
 */
async function appendRates(durationMs: number, rounds: number): Promise<Map<Engine, AppendFigures>> {
  const entry = { payload: PAYLOAD };
  const opened = await Promise.all(
    ENGINES.map(async (engine) => {
      const location = await engineLocation(engine);
      return { engine, location, storage: await location.open() };
    }),
  );
  const samples = new Map<Engine, { one: number[]; many: number[]; p99: number[]; max: number; ops: number; syncs: number }>();
  try {
    for (const { engine, storage } of opened) {
      samples.set(engine, { one: [], many: [], p99: [], max: 0, ops: 0, syncs: 0 });
      await runConcurrent({ concurrency: 32, durationMs: 200 }, (w) => storage.appendEntries({ threadId: `warm-${w}`, entries: [entry] }));
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? opened : [...opened].reverse();
      for (const { engine, storage } of order) {
        const s = samples.get(engine)!;
        const one = await runConcurrent({ concurrency: 1, durationMs }, () => storage.appendEntries({ threadId: 'single', entries: [entry] }));
        s.one.push(one.opsPerSecond);
        const syncs0 = await syncCount(storage);
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const many = await runConcurrent({ concurrency: 32, durationMs }, (w) => storage.appendEntries({ threadId: `writer-${w}`, entries: [entry] }));
        delay.disable();
        s.syncs += (await syncCount(storage)) - syncs0;
        s.ops += many.ops;
        s.many.push(many.opsPerSecond);
        s.p99.push(delay.percentile(99) / 1e6);
        s.max = Math.max(s.max, delay.max / 1e6);
      }
    }
  } finally {
    for (const { storage, location } of opened) {
      await storage.close();
      await location.remove();
    }
  }
  const out = new Map<Engine, AppendFigures>();
  for (const [engine, s] of samples) {
    out.set(engine, {
      rate1: median(s.one),
      runs1: s.one,
      rate32: median(s.many),
      runs32: s.many,
      perSync: s.syncs > 0 ? s.ops / s.syncs : Number.NaN,
      loopP99Ms: median(s.p99),
      loopP99s: s.p99,
      loopMaxMs: s.max,
    });
  }
  return out;
}

function threadName(i: number): string {
  return `agent-${String(i).padStart(8, '0')}`;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** Median start-up time of a worker thread that does nothing: the floor of the sqlite adapter's open. */
async function bareWorkerStart(): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage(1)', { eval: true });
    await new Promise((resolve) => worker.once('message', resolve));
    samples.push(performance.now() - t0);
    await worker.terminate();
  }
  return median(samples);
}

/** A function that runs a full GC (V8's gc, exposed at run time). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  const fn = runInNewContext('gc') as () => void;
  return () => {
    fn();
    fn();
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--sqlite-retention')) {
    // Only the sqlite retention rows: npx tsx bench/embedded-stores.ts --sqlite-retention [--quick]
    const sizes = quick ? SQLITE_RETENTION_SIZES.quick : SQLITE_RETENTION_SIZES.full;
    for (const row of await benchSqliteRetention({ ...sizes, log: (l) => console.error(l) })) {
      console.log(`${row.name}: ${fmt(row.value)} ${row.unit} (baseline ${fmt(row.baseline?.value)}: ratio ${fmt(row.value! / row.baseline!.value!)})  ${row.note ?? ''}`);
    }
    process.exit(0);
  }
  const rows = await benchEmbeddedStores({ ...(quick ? EMBEDDED_SIZES.quick : EMBEDDED_SIZES.full), log: (l) => console.error(l) });
  for (const row of rows) console.log(`${row.name.padEnd(70)} ${fmt(row.value).padStart(10)} ${row.unit}${row.baseline ? ` (vs ${fmt(row.baseline.value)})` : ''}  ${row.note ?? ''}`);
}
