/**
 * appendEntries over HTTP with metrics on vs off, same run: two Cryo servers in this process
 * (memory storage, production mode; one with CRYO_METRICS=on — the default — one off), loaded in
 * turn by autocannon (a child process), rounds interleaved (off, on, off, on …). Reports req/s of
 * each, the median of the per-round ratios on ÷ off (target ≥ 0.95) and server CPU per request.
 * Run alone: `npx tsx bench/metrics-overhead.ts [seconds] [rounds]`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { runAutocannon, type LoadResult } from './lib/autocannon.js';

/** The figures of one run. */
export interface MetricsOverheadResult {
  on: LoadResult & { cpuMicrosPerRequest: number };
  off: LoadResult & { cpuMicrosPerRequest: number };
  /** Median over rounds of on ÷ off req/s (the two runs of a round are back to back). */
  medianRoundRatio: number;
  /** off ÷ on server CPU per request (1 = no cost; below 1 = metrics cost CPU). */
  cpuRatio: number;
}

/** Measures the metrics' cost on appendEntries. Does NOT measure tracing (off in both). */
export async function benchMetricsOverhead(options: { durationSec?: number; rounds?: number; connections?: number; log?: (line: string) => void } = {}): Promise<MetricsOverheadResult> {
  const { buildApp } = await import('../src/app.js');
  const { defineConfig } = await import('../src/config.js');
  const durationSec = options.durationSec ?? 3;
  const rounds = options.rounds ?? 3;
  const connections = options.connections ?? 32;
  const log = options.log ?? (() => {});
  const start = async (metrics: boolean) => {
    const app = await buildApp(defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000, metrics }), {
      dashboardDir: null,
      operationsDir: null,
    });
    const { url } = await app.start();
    return { app, endpoint: `${url}graphql` };
  };
  const on = await start(true);
  const off = await start(false);
  const body = JSON.stringify({
    query: 'mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } } } }',
    variables: { input: { threadId: `bench-${randomUUID()}`, entries: [{ kind: 'bench', payload: { text: 'x'.repeat(100) } }] } },
  });
  type Measured = LoadResult & { cpuMicrosPerRequest: number };
  const measure = async (endpoint: string): Promise<Measured> => {
    const before = process.cpuUsage();
    const result = await runAutocannon({ url: endpoint, body, connections, durationSec });
    const used = process.cpuUsage(before);
    if (result.ok === 0) throw new Error(`no successful append (${result.non2xx} non-2xx)`);
    return { ...result, cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.ok + result.non2xx) };
  };
  try {
    // Warm both (graphql-jit compiles an operation after repeated use; V8 optimises the hot paths).
    await runAutocannon({ url: off.endpoint, body, connections, durationSec: 1 });
    await runAutocannon({ url: on.endpoint, body, connections, durationSec: 1 });
    const ratios: number[] = [];
    const cpu = { on: [] as number[], off: [] as number[] };
    let best: { on?: Measured; off?: Measured } = {};
    for (let round = 0; round < rounds; round++) {
      const a = await measure(off.endpoint);
      const b = await measure(on.endpoint);
      ratios.push(b.requestsPerSecond / a.requestsPerSecond);
      cpu.off.push(a.cpuMicrosPerRequest);
      cpu.on.push(b.cpuMicrosPerRequest);
      log(`round ${round + 1}: off ${a.requestsPerSecond.toFixed(0)} req/s ${a.cpuMicrosPerRequest.toFixed(0)} µs CPU/req; on ${b.requestsPerSecond.toFixed(0)} req/s ${b.cpuMicrosPerRequest.toFixed(0)} µs CPU/req; ratio ${ratios.at(-1)!.toFixed(3)}`);
      if (!best.off || a.requestsPerSecond > best.off.requestsPerSecond) best.off = a;
      if (!best.on || b.requestsPerSecond > best.on.requestsPerSecond) best.on = b;
    }
    return { on: best.on!, off: best.off!, medianRoundRatio: median(ratios), cpuRatio: median(cpu.off) / median(cpu.on) };
  } finally {
    await Promise.all([on.app.stop(), off.app.stop()]);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env['NODE_ENV'] ??= 'production';
  const [seconds, rounds] = process.argv.slice(2).map(Number);
  const r = await benchMetricsOverhead({ durationSec: seconds || 3, rounds: rounds || 3, log: (line) => console.log(line) });
  console.log(
    `appendEntries metrics on ${r.on.requestsPerSecond.toFixed(0)} req/s vs off ${r.off.requestsPerSecond.toFixed(0)} req/s: ` +
      `median round ratio ${r.medianRoundRatio.toFixed(3)}; server CPU/req off÷on ${r.cpuRatio.toFixed(3)}`,
  );
}
