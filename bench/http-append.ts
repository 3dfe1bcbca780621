/**
 * appendEntries requests/s over HTTP vs `{ __typename }` on the same Cryo server, in the same run
 * (memory storage, production mode, autocannon as a child process at 32 connections). Issue 7's
 * target: appendEntries ≥ 0.8× __typename. Run: `npx tsx bench/http-append.ts [seconds] [rounds]`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { runAutocannon, type LoadResult } from './lib/autocannon.js';

/** Options of {@link benchHttpAppend}. */
export interface HttpAppendBenchOptions {
  /** Seconds per autocannon run. @default 5 */
  durationSec?: number;
  /** Runs per case, interleaved (typename, append, typename, …); the best run counts. @default 2 */
  rounds?: number;
  /** @default 32 */
  connections?: number;
  /** Bytes of payload text per appended entry. @default 100 */
  payloadBytes?: number;
  log?: (line: string) => void;
}

/** The figures of one run. */
export interface HttpAppendBenchResult {
  connections: number;
  typename: LoadResult & { cpuMicrosPerRequest: number };
  append: LoadResult & { cpuMicrosPerRequest: number };
  /** append req/s ÷ typename req/s. */
  ratio: number;
  /** typename CPU ÷ append CPU per request, measured in the server process: steadier than req/s on a shared machine. */
  cpuRatio: number;
  /**
   * append ÷ typename req/s of each round (the two runs of a round are back to back, so they saw
   * about the same load from other processes), and their median: less sensitive than `ratio`
   * (best run ÷ best run, possibly from different rounds) to load that changes between rounds.
   */
  roundRatios: number[];
  medianRoundRatio: number;
  /** Entries the storage holds afterwards: must equal the 2xx appends (each appends one entry). */
  entriesWritten: number;
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });

/**
 * Starts Cryo on 127.0.0.1:0 over memory storage (production mode), measures both operations and
 * stops it. graphql-js picks its production code paths from NODE_ENV when first loaded, so run
 * this with NODE_ENV=production (the CLI entry sets it) for production figures. It does NOT
 * measure other adapters, WebSockets, or a load generator on another machine: both share this
 * machine's CPUs, so absolute figures are lower than a real deployment's.
 */
export async function benchHttpAppend(options: HttpAppendBenchOptions = {}): Promise<HttpAppendBenchResult> {
  const { buildApp } = await import('../src/app.js');
  const { defineConfig } = await import('../src/config.js');
  const durationSec = options.durationSec ?? 5;
  const rounds = options.rounds ?? 2;
  const connections = options.connections ?? 32;
  const log = options.log ?? (() => {});
  const app = await buildApp(
    defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000 }),
    { dashboardDir: null, operationsDir: null },
  );
  const threadId = `bench-${randomUUID()}`;
  const appendBody = JSON.stringify({
    query: 'mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } entries { id seq } } } }',
    variables: { input: { threadId, entries: [{ kind: 'bench', payload: { text: 'x'.repeat(options.payloadBytes ?? 100) } }] } },
  });
  try {
    const { url } = await app.start();
    const endpoint = `${url}graphql`;
    const probe = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: appendBody });
    const probed = (await probe.json()) as { data?: { appendEntries?: { __typename?: string } } };
    if (probed.data?.appendEntries?.__typename !== 'AppendEntriesSuccess') throw new Error(`append probe failed: ${JSON.stringify(probed)}`);
    type Measured = LoadResult & { cpuMicrosPerRequest: number };
    const measure = async (body: string): Promise<Measured> => {
      const before = process.cpuUsage();
      const result = await runAutocannon({ url: endpoint, body, connections, durationSec });
      const used = process.cpuUsage(before);
      return { ...result, cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.ok + result.non2xx) };
    };
    let typename: Measured | undefined;
    let append: Measured | undefined;
    let appendedOk = 1;
    const roundRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const t = await measure(TYPENAME);
      log(`round ${round + 1}: __typename ${t.requestsPerSecond.toFixed(0)} req/s, ${t.cpuMicrosPerRequest.toFixed(0)} µs server CPU/req (p99 ${t.latencyP99Ms} ms)`);
      const a = await measure(appendBody);
      appendedOk += a.ok;
      roundRatios.push(a.requestsPerSecond / t.requestsPerSecond);
      log(`round ${round + 1}: appendEntries ${a.requestsPerSecond.toFixed(0)} req/s, ${a.cpuMicrosPerRequest.toFixed(0)} µs server CPU/req (p99 ${a.latencyP99Ms} ms); round ratio ${roundRatios.at(-1)!.toFixed(2)}`);
      if (!typename || t.requestsPerSecond > typename.requestsPerSecond) typename = t;
      if (!append || a.requestsPerSecond > append.requestsPerSecond) append = a;
    }
    const head = await app.storage.getThread({ threadId });
    const entriesWritten = head?.rev ?? 0;
    if (entriesWritten < appendedOk) throw new Error(`storage holds ${entriesWritten} entries but ${appendedOk} appends succeeded`);
    return {
      connections,
      typename: typename!,
      append: append!,
      ratio: append!.requestsPerSecond / typename!.requestsPerSecond,
      cpuRatio: typename!.cpuMicrosPerRequest / append!.cpuMicrosPerRequest,
      roundRatios,
      medianRoundRatio: median(roundRatios),
      entriesWritten,
    };
  } finally {
    await app.stop();
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
  const result = await benchHttpAppend({ durationSec: seconds || 5, rounds: rounds || 2, log: (line) => console.log(line) });
  console.log(
    `appendEntries ${result.append.requestsPerSecond.toFixed(0)} req/s vs __typename ${result.typename.requestsPerSecond.toFixed(0)} req/s ` +
      `at ${result.connections} connections: ratio ${result.ratio.toFixed(2)}; server CPU/req ${result.append.cpuMicrosPerRequest.toFixed(0)} vs ` +
      `${result.typename.cpuMicrosPerRequest.toFixed(0)} µs: ratio ${result.cpuRatio.toFixed(2)}; median round ratio ${result.medianRoundRatio.toFixed(2)} ` +
      `(entries written ${result.entriesWritten})`,
  );
}
