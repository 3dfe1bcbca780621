/**
 * appendEntries over HTTP vs `{ __typename }` on the same Cryo server and vs a bare node:http
 * append, in the same run, with what production runs: auth on (an API key in every request) and
 * metrics on (memory storage, production mode, autocannon as a child process at 32 connections).
 * Issue 17's targets: server CPU per append ≤ 1.25× per `{ __typename }`, append req/s ≥ 0.8×
 * `{ __typename }` and ≥ 0.5× the bare append. A fourth case, appendEntries on a second server
 * configured alike with the fast lane off, shows what server/fast-lane.ts saves. Run: `npx tsx bench/http-append.ts [seconds] [rounds]`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { runAutocannon, type LoadResult } from './lib/autocannon.js';

/** Options of {@link benchHttpAppend}. */
export interface HttpAppendBenchOptions {
  /** Seconds per autocannon run. @default 5 */
  durationSec?: number;
  /** Rounds of (typename, append, bare), interleaved. @default 2 */
  rounds?: number;
  /** @default 32 */
  connections?: number;
  /** Bytes of payload text per appended entry. @default 100 */
  payloadBytes?: number;
  log?: (line: string) => void;
}

/** One autocannon run and the CPU the benchmark process (the servers) spent during it. */
export type Measured = LoadResult & { cpuMicrosPerRequest: number };

/** The figures of one run. */
export interface HttpAppendBenchResult {
  connections: number;
  /** Best run (highest req/s) of each case. */
  typename: Measured;
  append: Measured;
  bare: Measured;
  /** appendEntries on a second Cryo server configured alike but with the fast lane off (every request through Yoga's HTTP layer). */
  yogaAppend: Measured;
  /** Medians over rounds of the server CPU per request, µs (steadier than the best run's). */
  medianCpu: { typename: number; append: number; bare: number; yogaAppend: number };
  /** append ÷ typename and append ÷ bare req/s of the best runs. */
  ratio: number;
  bareRatio: number;
  /**
   * Per round (the runs of a round are back to back, so they saw about the same load from other
   * processes): append ÷ typename CPU per request, append ÷ typename req/s, append ÷ bare req/s;
   * and the medians.
   */
  rounds: { cpuRatio: number; ratio: number; bareRatio: number }[];
  median: { cpuRatio: number; ratio: number; bareRatio: number };
  /** Entries the storage holds afterwards: at least the 2xx appends (each appends one entry). */
  entriesWritten: number;
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
/** The one-entry appendEntries operation every HTTP append bench sends. */
export const APPEND_QUERY =
  'mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } entries { id seq } } } }';

/**
 * Starts Cryo on 127.0.0.1:0 over memory storage (production mode, CRYO_AUTH=on with an API key
 * of scopes read+write, metrics on) and a bare node:http append handler over another memory
 * storage, measures the three cases round by round and stops both. Server CPU per request is
 * this process's CPU time during a run ÷ the responses of the run (the load generator is a
 * child process; nothing else runs here meanwhile). graphql-js picks its production code paths
 * from NODE_ENV when first loaded, so run this with NODE_ENV=production (the CLI entry sets it).
 * It does NOT measure other adapters, WebSockets, or a load generator on another machine: both
 * share this machine's CPUs, so absolute figures are lower than a real deployment's.
 */
export async function benchHttpAppend(options: HttpAppendBenchOptions = {}): Promise<HttpAppendBenchResult> {
  const { buildApp } = await import('../src/app.js');
  const { defineConfig } = await import('../src/config.js');
  const { issueApiKey } = await import('../src/auth/issue-api-key.js');
  const { createMemoryStorage } = await import('../src/storage/memory/index.js');
  const { startBareAppend } = await import('./lib/servers.js');
  const durationSec = options.durationSec ?? 5;
  const rounds = options.rounds ?? 2;
  const connections = options.connections ?? 32;
  const log = options.log ?? (() => {});
  const config = defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000, metrics: true, auth: { mode: 'on' } });
  const app = await buildApp(config, { dashboardDir: null, operationsDir: null });
  // The same server without the fast lane (server/fast-lane.ts): what the lane saves, same run.
  const yogaApp = await buildApp(config, { dashboardDir: null, operationsDir: null, fastLane: false });
  const bareStorage = createMemoryStorage();
  const payload = { text: 'x'.repeat(options.payloadBytes ?? 100) };
  const threadId = `bench-${randomUUID()}`;
  const appendBody = JSON.stringify({ query: APPEND_QUERY, variables: { input: { threadId, entries: [{ kind: 'bench', payload }] } } });
  let bare: Awaited<ReturnType<typeof startBareAppend>> | undefined;
  try {
    const { url } = await app.start();
    const { url: yogaUrl } = await yogaApp.start();
    bare = await startBareAppend(bareStorage);
    const endpoint = `${url}graphql`;
    const key = (await issueApiKey(app.storage, { namespace: 'bench', scopes: ['read', 'write'] })).secret;
    const headers = { authorization: `Bearer ${key}` };
    const yogaKey = (await issueApiKey(yogaApp.storage, { namespace: 'bench', scopes: ['read', 'write'] })).secret;
    const cases = [
      { name: '__typename', url: endpoint, body: TYPENAME, headers, expect: '"__typename":"Query"' },
      { name: 'appendEntries', url: endpoint, body: appendBody, headers, expect: 'AppendEntriesSuccess' },
      { name: 'bare append', url: bare.url, body: JSON.stringify({ threadId, entries: [{ kind: 'bench', payload }] }), headers: {}, expect: '"rev":' },
      { name: 'appendEntries, fast lane off', url: `${yogaUrl}graphql`, body: appendBody, headers: { authorization: `Bearer ${yogaKey}` }, expect: 'AppendEntriesSuccess' },
    ];
    for (const c of cases) {
      const probe = await fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: c.body });
      const text = await probe.text();
      if (!text.includes(c.expect)) throw new Error(`${c.name} probe failed: ${probe.status} ${text.slice(0, 300)}`);
      // Warm-up: graphql-jit compiles an operation after repeated use; V8 optimises the hot paths.
      await runAutocannon({ url: c.url, body: c.body, headers: c.headers, connections, durationSec: 1 });
    }
    const entriesBefore = (await app.storage.getThread({ namespace: 'bench', threadId }))?.rev ?? 0;
    const measure = async (c: (typeof cases)[number]): Promise<Measured> => {
      const before = process.cpuUsage();
      const result = await runAutocannon({ url: c.url, body: c.body, headers: c.headers, connections, durationSec });
      const used = process.cpuUsage(before);
      if (result.non2xx || result.errors) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return { ...result, cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.ok) };
    };
    const best: (Measured | undefined)[] = [];
    const cpu: number[][] = [[], [], [], []];
    const perRound: HttpAppendBenchResult['rounds'] = [];
    let appendedOk = 0;
    for (let round = 0; round < rounds; round++) {
      const runs: Measured[] = [];
      for (const [i, c] of cases.entries()) {
        const m = await measure(c);
        runs.push(m);
        cpu[i]!.push(m.cpuMicrosPerRequest);
        if (!best[i] || m.requestsPerSecond > best[i]!.requestsPerSecond) best[i] = m;
        log(`round ${round + 1}: ${c.name} ${m.requestsPerSecond.toFixed(0)} req/s, ${m.cpuMicrosPerRequest.toFixed(0)} µs server CPU/req (p99 ${m.latencyP99Ms} ms)`);
      }
      const [t, a, b] = runs as [Measured, Measured, Measured, Measured];
      appendedOk += a.ok;
      perRound.push({ cpuRatio: a.cpuMicrosPerRequest / t.cpuMicrosPerRequest, ratio: a.requestsPerSecond / t.requestsPerSecond, bareRatio: a.requestsPerSecond / b.requestsPerSecond });
      const r = perRound.at(-1)!;
      log(`round ${round + 1}: append÷typename CPU/req ${r.cpuRatio.toFixed(2)}, req/s ${r.ratio.toFixed(2)}; append÷bare req/s ${r.bareRatio.toFixed(2)}`);
    }
    const entriesWritten = ((await app.storage.getThread({ namespace: 'bench', threadId }))?.rev ?? 0) - entriesBefore;
    if (entriesWritten < appendedOk) throw new Error(`storage holds ${entriesWritten} new entries but ${appendedOk} appends succeeded`);
    const [typename, append, bareRun, yogaAppend] = best as [Measured, Measured, Measured, Measured];
    return {
      connections,
      typename,
      append,
      bare: bareRun,
      yogaAppend,
      medianCpu: { typename: median(cpu[0]!), append: median(cpu[1]!), bare: median(cpu[2]!), yogaAppend: median(cpu[3]!) },
      ratio: append.requestsPerSecond / typename.requestsPerSecond,
      bareRatio: append.requestsPerSecond / bareRun.requestsPerSecond,
      rounds: perRound,
      median: {
        cpuRatio: median(perRound.map((r) => r.cpuRatio)),
        ratio: median(perRound.map((r) => r.ratio)),
        bareRatio: median(perRound.map((r) => r.bareRatio)),
      },
      entriesWritten,
    };
  } finally {
    await bare?.close();
    await app.stop();
    await yogaApp.stop();
    await bareStorage.close();
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
  const r = await benchHttpAppend({ durationSec: seconds || 5, rounds: rounds || 2, log: (line) => console.log(line) });
  console.log(
    `auth (API key) + metrics on, ${r.connections} connections, medians over rounds: server CPU/req appendEntries ${r.medianCpu.append.toFixed(0)} µs, ` +
      `{ __typename } ${r.medianCpu.typename.toFixed(0)} µs, bare append ${r.medianCpu.bare.toFixed(0)} µs, appendEntries with the fast lane off ${r.medianCpu.yogaAppend.toFixed(0)} µs; ` +
      `append÷typename CPU ${r.median.cpuRatio.toFixed(2)} (target ≤ 1.25), req/s ${r.median.ratio.toFixed(2)} (target ≥ 0.8); ` +
      `append÷bare req/s ${r.median.bareRatio.toFixed(2)} (target ≥ 0.5); best runs: ${r.append.requestsPerSecond.toFixed(0)} / ` +
      `${r.typename.requestsPerSecond.toFixed(0)} / ${r.bare.requestsPerSecond.toFixed(0)} req/s (entries written ${r.entriesWritten})`,
  );
}
