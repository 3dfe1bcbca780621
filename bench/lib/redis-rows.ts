import { benchRedisStorage, benchRedisTrimMemory } from '../redis-storage.js';
import type { Row } from './table.js';

/** Options of {@link redisPeerRows}. */
export interface RedisPeerOptions {
  /** Measured seconds per variant. */
  seconds: number;
  /** The run's own Redis; undefined → "not measured". */
  url: string | undefined;
  /** Why there is no Redis, for the note. */
  unavailable?: string;
  /** Size of the journal the trim-memory row trims 90% of. @default 50 */
  trimMb?: number;
}

/**
 * The Redis adapter vs raw node-redis rows, from bench/redis-storage.ts (`benchRedisStorage`, 32
 * writers, one thread/key per writer, the same payload): adapter appends vs RPUSH, vs XADD and
 * vs raw EVALSHA of the adapter's script, and the expectedRev path vs RPUSH. Target: adapter
 * ≥ 0.7× raw. A failure becomes "not measured"
 * rows with the reason; nothing is retried.
 */
export async function redisPeerRows(options: RedisPeerOptions): Promise<Row[]> {
  const section = 'Peers';
  const unit = 'appends/s';
  const target = { on: 'ratio', kind: 'min', bound: 0.7 } as const;
  let note = options.unavailable || 'no redis-server';
  let r: Awaited<ReturnType<typeof benchRedisStorage>> | undefined;
  if (options.url) {
    try {
      r = await benchRedisStorage({ concurrency: 32, seconds: options.seconds, url: options.url });
      note = `redis ${r.redisVersion}; ${r.concurrency} writers, one key/thread each, ${r.seconds} s per variant in interleaved rounds (bench/redis-storage.ts)`;
    } catch (error) {
      note = `failed: ${(error as Error).message}`;
    }
  }
  let trim: Awaited<ReturnType<typeof benchRedisTrimMemory>> | undefined;
  let trimNote = options.unavailable || 'no redis-server';
  if (options.url) {
    try {
      trim = await benchRedisTrimMemory({ url: options.url, mb: options.trimMb ?? 50 });
      trimNote =
        `INFO memory used_memory growth over the run's Redis before the journal: ${trim.entries} entries, ` +
        `${(trim.journalBytes / 1048576).toFixed(0)} MB of entry JSON, one trimThread to 90% of rev (one XTRIM MINID, ${trim.trimMs} ms); bench/redis-storage.ts --trim-memory`;
    } catch (error) {
      trimNote = `failed: ${(error as Error).message}`;
    }
  }
  return [
    {
      section: 'Retention',
      name: `Redis memory after trimming 90% of a ${options.trimMb ?? 50} MB journal`,
      value: trim ? trim.afterTrimBytes / 1048576 : null,
      unit: 'MB',
      baseline: { name: 'before the trim', value: trim ? trim.beforeTrimBytes / 1048576 : null },
      target: { on: 'ratio', kind: 'max', bound: 0.15 },
      note: trimNote,
    },
    {
      section,
      name: 'appendEntries, Redis adapter vs raw node-redis RPUSH',
      value: r?.adapterAppendsPerSec ?? null,
      unit,
      baseline: { name: 'RPUSH', value: r?.rpushPerSec ?? null },
      target,
      note,
    },
    {
      section,
      name: 'appendEntries, Redis adapter vs raw node-redis XADD',
      value: r?.adapterAppendsPerSec ?? null,
      unit,
      baseline: { name: 'XADD', value: r?.xaddPerSec ?? null },
      // Issue 17: ≥ 0.8× raw XADD at 32 writers (group commit, lean and short appends: src/storage/redis/README.md; bench/README.md "Redis append path").
      target: { on: 'ratio', kind: 'min', bound: 0.8 },
    },
    {
      section,
      name: 'CPU per append (client + redis-server), XADD vs Redis adapter',
      value: r ? r.cpuUsPerOp.xadd!.client + r.cpuUsPerOp.xadd!.redis : null,
      unit: 'µs',
      baseline: { name: 'adapter', value: r ? r.cpuUsPerOp.adapter!.client + r.cpuUsPerOp.adapter!.redis : null },
      note: r
        ? `no target; steadier than appends/s on a shared machine. Adapter ${r.cpuUsPerOp.adapter!.client} µs client + ${r.cpuUsPerOp.adapter!.redis} µs redis; XADD ${r.cpuUsPerOp.xadd!.client} + ${r.cpuUsPerOp.xadd!.redis}`
        : undefined,
    },
    {
      section,
      name: 'appendEntries, Redis adapter vs raw EVALSHA of its own append script',
      value: r?.adapterAppendsPerSec ?? null,
      unit,
      baseline: { name: 'raw EVALSHA', value: r?.rawScriptPerSec ?? null },
      note: 'no target: separates the adapter\'s own JS from the cost of the atomic server-side step',
    },
    {
      section,
      name: 'appendEntries with expectedRev, Redis adapter vs raw RPUSH',
      value: r?.adapterCasAppendsPerSec ?? null,
      unit,
      baseline: { name: 'RPUSH', value: r?.rpushPerSec ?? null },
      target,
    },
  ];
}
