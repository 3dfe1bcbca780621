/**
 * Redis adapter throughput: appends/s through createRedisStorage at N concurrent writers vs raw
 * node-redis RPUSH and XADD of the same payload at the same concurrency (and raw EVALSHA of the
 * adapter's append script), in one run against one redis-server (started here via the test
 * harness, or REDIS_URL / options.url). Variants run in interleaved rounds so that load from
 * other processes hits them alike; the ratios are the figures to compare, not the absolutes.
 *
 *   npx tsx bench/redis-storage.ts [--seconds 3] [--concurrency 32]
 *   npx tsx bench/redis-storage.ts --trim-memory [--mb 50]   (Redis memory before/after trimming 90%)
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { createRedisStorage } from '../src/storage/redis/index.js';
import { APPEND, appendCall, type AppendArgs } from '../src/storage/redis/scripts/append.js';
import { startRedis } from '../test/support/redis-server.js';

/** Options of {@link benchRedisStorage}. */
export interface RedisBenchOptions {
  /** Concurrent writers. @default 32 */
  concurrency?: number;
  /** Measured seconds per variant (after a short warm-up), split over 6 interleaved rounds. @default 3 */
  seconds?: number;
  /** An existing Redis (its data is left alone: keys use a random prefix). @default own redis-server */
  url?: string;
}

/** What one run measured. */
export interface RedisBenchResult {
  concurrency: number;
  seconds: number;
  /** Adapter appendEntries (1 entry, one thread per writer, unconditional). */
  adapterAppendsPerSec: number;
  /** Adapter appendEntries with expectedRev (the exactly-once path). */
  adapterCasAppendsPerSec: number;
  rpushPerSec: number;
  xaddPerSec: number;
  /**
   * Raw node-redis EVALSHA of the adapter's own append script (same keys and arguments, no
   * adapter JS): separates the cost of the atomic server-side step from the adapter's own work.
   */
  rawScriptPerSec: number;
  /** adapterAppendsPerSec / rpushPerSec */
  ratioVsRpush: number;
  /** adapterAppendsPerSec / xaddPerSec */
  ratioVsXadd: number;
  /** CPU µs per op of each variant: this process (node-redis client + adapter) and redis-server. */
  cpuUsPerOp: Record<string, { client: number; redis: number }>;
  /**
   * XADD's total CPU per op (client + redis) / the adapter's: the throughput ratio a CPU-bound
   * machine would give, steadier than ops/s while other processes load the machine.
   */
  cpuRatioVsXadd: number;
  redisVersion: string;
}

const PAYLOAD = { role: 'assistant', text: 'x'.repeat(64), tokens: 42 };

type Op = (writer: number, i: number) => Promise<unknown>;

/** Ops/s of each variant: rounds interleave the variants, so machine noise hits them alike (also used by bench/postgres-storage.ts). */
export async function measure(concurrency: number, seconds: number, variants: Op[], rounds = 6): Promise<number[]> {
  return (await measureDetailed(concurrency, seconds, variants, rounds)).map((v) => v.perSec);
}

/** What {@link measureDetailed} found for one variant. */
export interface VariantFigures {
  perSec: number;
  /** CPU of this (client) process per op, µs (user + system). */
  clientCpuUs: number;
  /** CPU of the server per op, µs, when a `serverCpu` probe was given (else NaN). */
  serverCpuUs: number;
}

/**
 * Like {@link measure}, plus CPU per op: this process's (process.cpuUsage) and, with `serverCpu`
 * (cumulative server CPU seconds, e.g. Redis INFO cpu), the server's. CPU per op is steadier than
 * ops/s on a shared machine (other processes take CPU time, not CPU per op).
 */
export async function measureDetailed(
  concurrency: number,
  seconds: number,
  variants: Op[],
  rounds = 6,
  serverCpu?: () => Promise<number>,
): Promise<VariantFigures[]> {
  const run = async (op: Op, ms: number, offset: number): Promise<{ count: number; ms: number }> => {
    const started = performance.now();
    const end = started + ms;
    let count = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, writer) => {
        for (let i = offset; performance.now() < end; i++) {
          await op(writer, i);
          count++;
        }
      }),
    );
    return { count, ms: performance.now() - started };
  };
  const totals = variants.map(() => ({ count: 0, ms: 0, clientUs: 0, serverS: 0 }));
  const offsets = variants.map(() => 0);
  for (const [v, op] of variants.entries()) offsets[v] = (await run(op, 300, 0)).count;
  for (let round = 0; round < rounds; round++) {
    for (const [v, op] of variants.entries()) {
      const server0 = serverCpu ? await serverCpu() : 0;
      const client0 = process.cpuUsage();
      const { count, ms } = await run(op, (seconds * 1000) / rounds, offsets[v]! + round * 1_000_000);
      const client = process.cpuUsage(client0);
      const server1 = serverCpu ? await serverCpu() : 0;
      const t = totals[v]!;
      t.count += count;
      t.ms += ms;
      t.clientUs += client.user + client.system;
      t.serverS += server1 - server0;
    }
  }
  return totals.map(({ count, ms, clientUs, serverS }) => ({
    perSec: count / (ms / 1000),
    clientCpuUs: clientUs / count,
    serverCpuUs: serverCpu ? (serverS * 1e6) / count : Number.NaN,
  }));
}

/** Runs the benchmark and returns the figures (another script may print or compare them). */
export async function benchRedisStorage(options: RedisBenchOptions = {}): Promise<RedisBenchResult> {
  const concurrency = options.concurrency ?? 32;
  const seconds = options.seconds ?? 3;
  const own = options.url ? null : await startRedis();
  const url = options.url ?? own!.url;
  const tag = randomBytes(4).toString('hex');
  const raw = createClient({ url });
  raw.on('error', () => {});
  await raw.connect();
  const storage = await createRedisStorage({ url, keyPrefix: `cryo-bench-${tag}` });
  try {
    const info = String(await raw.sendCommand(['INFO', 'server']));
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const json = JSON.stringify({ id: 'x', at: new Date().toISOString(), kind: 'note', payload: PAYLOAD, refs: {} });
    const revs = new Map<number, number>();
    await raw.sendCommand(['SCRIPT', 'LOAD', APPEND.source]);
    // The raw-script variant: one thread per writer, created by a full run first, then short runs
    // (what the adapter sends for a thread it has seen).
    const rawAppend = (w: number, i: number, full: boolean): AppendArgs => {
      const t = `cryo-bench-${tag}:{e${w}}`;
      const base = { head: `${t}:h`, log: `${t}:j`, expectedRev: undefined, idsFromCaller: false, now: new Date().toISOString(), entries: [{ id: `e${i}`, json }] };
      if (!full) return { ...base, knownLife: 'bench' };
      const create = { indexMode: 'done', index: null, retentionIndex: null, metadata: '{}', messagePrefix: '{"type":"thread-appended","rev":', member: 'm', retentionMember: 'm', life: 'bench', startSeq: 0, retention: null } as const;
      return { ...base, create };
    };
    for (let w = 0; w < concurrency; w++) {
      const call = appendCall([rawAppend(w, -1, true)], 'PUBLISH');
      await raw.sendCommand(['EVALSHA', call.script.sha, String(call.keys.length), ...call.keys, ...call.args]);
    }
    const redisCpu = async (): Promise<number> => {
      const cpu = String(await raw.sendCommand(['INFO', 'cpu']));
      return Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1]);
    };
    const figures = await measureDetailed(concurrency, seconds, [
      (w) => storage.appendEntries({ namespace: `bench-${tag}`, threadId: `w${w}`, entries: [{ payload: PAYLOAD }] }),
      async (w, i) => {
        const rev = revs.get(w) ?? 0;
        await storage.appendEntries({
          namespace: `bench-${tag}`,
          threadId: `cas${w}`,
          entries: [{ id: `e${i}`, payload: PAYLOAD }],
          expectedRev: rev,
        });
        revs.set(w, rev + 1);
      },
      (w) => raw.sendCommand(['RPUSH', `cryo-bench-${tag}:l${w}`, json]),
      (w) => raw.sendCommand(['XADD', `cryo-bench-${tag}:s${w}`, '*', 'd', json]),
      (w, i) => {
        const call = appendCall([rawAppend(w, i, false)], 'PUBLISH');
        return raw.sendCommand(['EVALSHA', call.script.sha, String(call.keys.length), ...call.keys, ...call.args]);
      },
    ], 6, redisCpu);
    const [adapterAppendsPerSec, adapterCasAppendsPerSec, rpushPerSec, xaddPerSec, rawScriptPerSec] = figures.map((f) => f.perSec) as [number, number, number, number, number];
    const cpu = (f: VariantFigures): { client: number; redis: number } => ({ client: Number(f.clientCpuUs.toFixed(1)), redis: Number(f.serverCpuUs.toFixed(1)) });
    const [adapterCpu, , , xaddCpu] = figures.map(cpu) as [ReturnType<typeof cpu>, unknown, unknown, ReturnType<typeof cpu>];
    const round = (n: number): number => Math.round(n);
    return {
      concurrency,
      seconds,
      adapterAppendsPerSec: round(adapterAppendsPerSec),
      adapterCasAppendsPerSec: round(adapterCasAppendsPerSec),
      rpushPerSec: round(rpushPerSec),
      xaddPerSec: round(xaddPerSec),
      rawScriptPerSec: round(rawScriptPerSec),
      ratioVsRpush: Number((adapterAppendsPerSec / rpushPerSec).toFixed(3)),
      ratioVsXadd: Number((adapterAppendsPerSec / xaddPerSec).toFixed(3)),
      cpuUsPerOp: Object.fromEntries(['adapter', 'adapterCas', 'rpush', 'xadd', 'rawScript'].map((name, i) => [name, cpu(figures[i]!)])),
      cpuRatioVsXadd: Number(((xaddCpu.client + xaddCpu.redis) / (adapterCpu.client + adapterCpu.redis)).toFixed(3)),
      redisVersion,
    };
  } finally {
    if (options.url) {
      for (let w = 0; w < concurrency; w++) {
        await storage.deleteThread({ namespace: `bench-${tag}`, threadId: `w${w}` });
        await storage.deleteThread({ namespace: `bench-${tag}`, threadId: `cas${w}` });
      }
    }
    await storage.close();
    if (options.url) {
      for (let w = 0; w < concurrency; w++) {
        const t = `cryo-bench-${tag}:{e${w}}`;
        await raw.sendCommand(['DEL', `cryo-bench-${tag}:l${w}`, `cryo-bench-${tag}:s${w}`]);
        await raw.sendCommand(['DEL', `${t}:h`, `${t}:j`]);
      }
    }
    await raw.close();
    await own?.close();
  }
}

/** What {@link benchRedisTrimMemory} measured (INFO memory used_memory, bytes). */
export interface RedisTrimMemoryResult {
  /** Serialized entry bytes appended (the JSON the adapter stores). */
  journalBytes: number;
  entries: number;
  /** used_memory growth from before the journal to after appending it. */
  beforeTrimBytes: number;
  /** used_memory growth from before the journal to after trimming 90% of it. */
  afterTrimBytes: number;
  /** afterTrimBytes / beforeTrimBytes */
  leftRatio: number;
  /** Milliseconds the one trim call took (a single XTRIM MINID inside the trim script). */
  trimMs: number;
  redisVersion: string;
}

/**
 * Redis memory before and after trimming 90% of a large journal (`mb` MB of ~1 KiB entries, one
 * thread, appended 500 per call): INFO memory used_memory before the journal, after appending it
 * and after one trimThread to 90% of its rev (issue 12). Needs a Redis of its own (other clients'
 * writes would show in used_memory): starts one unless `url` is given.
 */
export async function benchRedisTrimMemory(options: { url?: string; mb?: number } = {}): Promise<RedisTrimMemoryResult> {
  const own = options.url ? null : await startRedis({ ownServer: true });
  const url = options.url ?? own!.url;
  const tag = randomBytes(4).toString('hex');
  const raw = createClient({ url });
  raw.on('error', () => {});
  await raw.connect();
  const storage = await createRedisStorage({ url, keyPrefix: `cryo-bench-${tag}`, commandTimeoutMs: 30_000 });
  const namespace = `bench-${tag}`;
  const threadId = 'journal';
  try {
    const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(String(await raw.sendCommand(['INFO', 'memory'])))?.[1]);
    const redisVersion = /redis_version:(\S+)/.exec(String(await raw.sendCommand(['INFO', 'server'])))?.[1] ?? 'unknown';
    const payload = { role: 'assistant', text: 'x'.repeat(900), tokens: 42 };
    const target = (options.mb ?? 50) * 1024 * 1024;
    const base = await used();
    let journalBytes = 0;
    let entries = 0;
    while (journalBytes < target) {
      const { entries: written } = await storage.appendEntries({ namespace, threadId, entries: Array.from({ length: 500 }, () => ({ payload })) });
      for (const e of written) journalBytes += Buffer.byteLength(JSON.stringify({ id: e.id, at: e.at, kind: e.kind, payload: e.payload, refs: e.refs }));
      entries += written.length;
    }
    const beforeTrimBytes = (await used()) - base;
    const started = performance.now();
    await storage.trimThread({ namespace, threadId, beforeSeq: Math.floor(entries * 0.9) });
    const trimMs = performance.now() - started;
    const afterTrimBytes = (await used()) - base;
    return {
      journalBytes,
      entries,
      beforeTrimBytes,
      afterTrimBytes,
      leftRatio: Number((afterTrimBytes / beforeTrimBytes).toFixed(3)),
      trimMs: Number(trimMs.toFixed(1)),
      redisVersion,
    };
  } finally {
    await storage.deleteThread({ namespace, threadId }).catch(() => {});
    await storage.close();
    await raw.close();
    await own?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--trim-memory')) {
  const i = process.argv.indexOf('--mb');
  console.log(JSON.stringify(await benchRedisTrimMemory({ url: process.env.REDIS_URL, mb: i > 0 ? Number(process.argv[i + 1]) : undefined }), null, 2));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = await benchRedisStorage({
    seconds: arg('seconds'),
    concurrency: arg('concurrency'),
    url: process.env.REDIS_URL,
  });
  console.log(JSON.stringify(result, null, 2));
}
