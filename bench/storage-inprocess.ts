/**
 * Storage figures measured in process, per adapter: appends/s at 1 and 32 writers, the file
 * adapter's appends per fsync, append cost at journal length 100 vs 100,000, checkpoint
 * put+get/s and thaw time of a 10,000-entry thread.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../src/domain/json.js';
import { thaw } from '../src/persist.js';
import type { Storage } from '../src/storage/types.js';
import { DEFAULT_FILE_DURABILITY, type FileDurability } from '../src/storage/file/index.js';
import { benchFileOpen, benchFileStorage, type FileBenchCase } from './file-storage.js';
import { fileRetentionRows, type FileRetentionSizes } from './lib/file-retention-rows.js';
import { buildThread, openAdapter, type AdapterKind, type OpenedAdapter } from './lib/adapters.js';
import { median, runConcurrent } from './lib/stats.js';
import { fmt, type Row } from './lib/table.js';

/** Options of {@link benchStorage}. */
export interface StorageBenchOptions {
  /** Wall-clock bound of each throughput loop. */
  durationMs: number;
  /** Owned Redis; without it the Redis rows are "not measured". */
  redisUrl?: string | undefined;
  /** Timed append pairs (short thread, long thread) per adapter, at most. */
  costPairs: number;
  /** Length of the long journal. @default 100000 */
  longLength?: number;
  /** Entries of the thread thaw reads. @default 10000 */
  thawLength?: number;
  /** Timed thaws per adapter, at most. */
  thawSamples: number;
  /** @default 100 */
  payloadBytes?: number;
  /** File durability modes measured. @default [the adapter's default] */
  fileModes?: FileDurability[];
  /** Entries in the store whose open (start-up scan) is timed. @default 200000 */
  fileOpenEntries?: number;
  /** Sizes of the file retention rows (bench/file-retention.ts). @default the full sizes */
  fileRetention?: FileRetentionSizes;
  log?: (line: string) => void;
}

const SECTION = 'Storage';
const KINDS: AdapterKind[] = ['memory', 'file', 'redis'];

/** State of roughly 1 KB, the checkpoint payload shared with the peer benchmarks. */
export function checkpointState(i: number): JsonObject {
  return {
    step: i,
    messages: Array.from({ length: 8 }, (_, k) => ({ role: k % 2 ? 'assistant' : 'user', content: `message ${k} ${'y'.repeat(90)}` })),
  };
}

/**
 * Runs the storage benchmarks adapter by adapter, each on a fresh store that is closed (and its
 * temp directory removed) afterwards, and returns the rows. An adapter that cannot open gets
 * "not measured" rows with the reason; an error inside a measurement rejects.
 */
export async function benchStorage(options: StorageBenchOptions): Promise<Row[]> {
  const log = options.log ?? (() => {});
  const payload = { text: 'x'.repeat(options.payloadBytes ?? 100) };
  const out: Row[] = [];
  for (const kind of KINDS) {
    let adapter: OpenedAdapter | undefined;
    let reason = '';
    try {
      adapter = await openAdapter(kind, options.redisUrl);
    } catch (error) {
      reason = (error as Error).message;
    }
    try {
      out.push(...(await appendThroughput(kind, adapter, options, payload, reason)));
      out.push(await appendCost(kind, adapter, options, payload, reason, log));
      out.push(await checkpointThroughput(kind, adapter, options, reason));
      out.push(await thawTime(kind, adapter, options, payload, reason));
      if (kind === 'file') out.push(await fileOpen(options.fileOpenEntries ?? 200_000));
      if (kind === 'file') out.push(...(await fileRetentionRows(options.fileRetention)));
      log(`  storage ${kind} done`);
    } finally {
      await adapter?.close();
    }
  }
  return out;
}

async function fileOpen(entries: number): Promise<Row> {
  const r = await benchFileOpen({ entries, threads: 10 });
  return {
    section: SECTION,
    name: `open (start-up scan) of a ${fmt(entries)}-entry file store`,
    value: r.openMs,
    unit: 'ms',
    note: `${(r.bytes / 2 ** 20).toFixed(1)} MiB of journals in 10 threads; tail read after open ${r.tailReadMs.toFixed(2)} ms (bench/file-storage.ts benchFileOpen)`,
  };
}

async function appendThroughput(
  kind: AdapterKind,
  adapter: OpenedAdapter | undefined,
  options: StorageBenchOptions,
  payload: JsonObject,
  reason: string,
): Promise<Row[]> {
  const unit = 'appends/s';
  if (kind === 'file') {
    const modes = options.fileModes ?? [DEFAULT_FILE_DURABILITY];
    return fileRows(await benchFileStorage({ durationMs: options.durationMs, payloadBytes: options.payloadBytes ?? 100, modes }));
  }
  const rows: Row[] = [];
  for (const writers of [1, 32]) {
    const name = `appends/s, ${kind}, ${writers} writer${writers > 1 ? 's' : ''} (own threads)`;
    if (!adapter) {
      rows.push({ section: SECTION, name, value: null, unit, note: reason });
      continue;
    }
    const threads = Array.from({ length: writers }, () => `bench-append-${randomUUID()}`);
    const r = await runConcurrent({ concurrency: writers, durationMs: options.durationMs }, (w) =>
      adapter.storage.appendEntries({ threadId: threads[w]!, entries: [{ payload }] }),
    );
    rows.push({ section: SECTION, name, value: r.opsPerSecond, unit, note: `${r.ops} appends in ${r.seconds.toFixed(1)} s` });
  }
  return rows;
}

function fileRows(cases: FileBenchCase[]): Row[] {
  const rows: Row[] = [];
  const mode = (c: FileBenchCase): string => (c.name.includes('[') ? '' : ` [${c.durability}]`);
  for (const c of cases) {
    rows.push({
      section: SECTION,
      name: `appends/s, file, ${c.name}${mode(c)}`,
      value: c.appendsPerSecond,
      unit: 'appends/s',
      note: `durable before ack; ${c.appends} appends in ${c.seconds.toFixed(1)} s (bench/file-storage.ts)`,
    });
  }
  for (const c of cases.filter((x) => x.writers === 32)) {
    const isDefault = c.durability === DEFAULT_FILE_DURABILITY;
    rows.push({
      section: SECTION,
      name: `appends per fsync, file, ${c.name}${mode(c)}`,
      value: c.appendsPerSync > 0 ? c.appendsPerSync : null,
      unit: 'appends/fsync',
      target: isDefault ? { on: 'value', kind: 'min', bound: 10 } : undefined,
      note:
        `${fmt(c.appendsPerRound)} appends per group-commit round; counting the flushes of closing the store too: ` +
        `${c.syncCallsPerAppendWithClose > 0 ? fmt(1 / c.syncCallsPerAppendWithClose) : '—'} appends per fsync` +
        (isDefault ? ' (default durability mode)' : ' (not the default mode: no target)'),
    });
  }
  return rows;
}

async function appendCost(
  kind: AdapterKind,
  adapter: OpenedAdapter | undefined,
  options: StorageBenchOptions,
  payload: JsonObject,
  reason: string,
  log: (line: string) => void,
): Promise<Row> {
  const longLength = options.longLength ?? 100_000;
  const name = `one append at journal length ${fmt(longLength)} vs 100, ${kind}`;
  const row: Row = {
    section: SECTION,
    name,
    value: null,
    unit: 'µs',
    baseline: { name: 'at length 100', value: null },
    target: { on: 'ratio', kind: 'max', bound: 1.3 },
    note: reason,
  };
  if (!adapter) return row;
  const { storage } = adapter;
  const short = `bench-short-${randomUUID()}`;
  const long = `bench-long-${randomUUID()}`;
  const t0 = performance.now();
  await buildThread(storage, short, 100, payload);
  await buildThread(storage, long, longLength, payload);
  log(`  storage ${kind}: built a ${fmt(longLength)}-entry journal in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const timeOne = async (threadId: string): Promise<number> => {
    const s = performance.now();
    await storage.appendEntries({ threadId, entries: [{ payload }] });
    return (performance.now() - s) * 1000;
  };
  const shortUs: number[] = [];
  const longUs: number[] = [];
  const deadline = performance.now() + options.durationMs * 2;
  for (let i = 0; i < options.costPairs && performance.now() < deadline; i++) {
    if (i % 2 === 0) {
      shortUs.push(await timeOne(short));
      longUs.push(await timeOne(long));
    } else {
      longUs.push(await timeOne(long));
      shortUs.push(await timeOne(short));
    }
  }
  const warm = Math.min(20, Math.floor(shortUs.length / 5));
  const s = median(shortUs.slice(warm));
  const l = median(longUs.slice(warm));
  return {
    ...row,
    value: l,
    baseline: { name: 'at length 100', value: s },
    note: `median of ${longUs.length - warm} interleaved single-entry appends each (first ${warm} pairs dropped)`,
  };
}

async function checkpointThroughput(
  kind: AdapterKind,
  adapter: OpenedAdapter | undefined,
  options: StorageBenchOptions,
  reason: string,
): Promise<Row> {
  const name = `checkpoint put+get/s, ${kind}, 32 agents`;
  if (!adapter) return { section: SECTION, name, value: null, unit: 'pairs/s', note: reason };
  const agentType = `bench-${randomUUID().slice(0, 8)}`;
  const r = await runConcurrent({ concurrency: 32, durationMs: options.durationMs }, async (w, n) => {
    const agentId = `agent-${w}`;
    await adapter.storage.putCheckpoint({ agentType, agentId, state: checkpointState(n) });
    const got = await adapter.storage.getCheckpoint({ agentType, agentId });
    if (!got || got.rev !== n + 1) throw new Error(`checkpoint ${agentId}: rev ${got?.rev} after ${n + 1} puts`);
  });
  return { section: SECTION, name, value: r.opsPerSecond, unit: 'pairs/s', note: `~1 KB state; ${r.ops} pairs in ${r.seconds.toFixed(1)} s` };
}

async function thawOnce(storage: Storage, agentType: string, agentId: string, threadId: string): Promise<number> {
  const s = performance.now();
  const result = await thaw(storage, { agentType, agentId });
  const tail = await storage.readTail({ threadId, limit: 50 });
  if (!result.thread || tail.entries.length !== Math.min(50, result.thread.rev)) throw new Error('thaw read the wrong thread');
  return performance.now() - s;
}

async function thawTime(
  kind: AdapterKind,
  adapter: OpenedAdapter | undefined,
  options: StorageBenchOptions,
  payload: JsonObject,
  reason: string,
): Promise<Row> {
  const length = options.thawLength ?? 10_000;
  const name = `thaw + tail page (50) of a ${fmt(length)}-entry thread, ${kind}`;
  const row: Row = { section: SECTION, name, value: null, unit: 'ms', baseline: { name: '100-entry thread', value: null }, note: reason };
  if (!adapter) return row;
  const { storage } = adapter;
  const agentType = `bench-${randomUUID().slice(0, 8)}`;
  const samples: Record<'big' | 'small', number[]> = { big: [], small: [] };
  const setups = { big: length, small: 100 };
  const threads = { big: `bench-thaw-big-${randomUUID()}`, small: `bench-thaw-small-${randomUUID()}` };
  for (const [which, count] of Object.entries(setups) as ['big' | 'small', number][]) {
    const threadId = threads[which];
    await buildThread(storage, threadId, count, payload);
    await storage.putCheckpoint({ agentType, agentId: which, state: checkpointState(0), thread: { id: threadId, rev: count } });
  }
  const deadline = performance.now() + options.durationMs * 2;
  for (let i = 0; i < options.thawSamples && performance.now() < deadline; i++) {
    for (const which of ['big', 'small'] as const) {
      samples[which].push(await thawOnce(storage, agentType, which, threads[which]));
    }
  }
  return {
    ...row,
    value: median(samples.big),
    baseline: { name: '100-entry thread', value: median(samples.small) },
    note: `median of ${samples.big.length}; thaw (checkpoint + journal check) then readTail(50)`,
  };
}
