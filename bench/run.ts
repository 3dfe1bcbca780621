/**
 * `npm run bench` (full, a few minutes) and `npm run bench -- --quick` (under a minute): runs
 * every benchmark section, prints one table and writes bench/results.md.
 *
 *   npm run bench [-- --quick] [--only http,storage,embedded,peers,live,postgres,langgraph] [--out bench/results.md]
 */
import { fileURLToPath } from 'node:url';
import type { FileDurability } from '../src/storage/file/index.js';
import { startRedis, type TestRedis } from '../test/support/redis-server.js';
import { benchEmbeddedStores, EMBEDDED_SIZES } from './embedded-stores.js';
import { benchHttpAppend, type HttpAppendBenchResult } from './http-append.js';
import { benchHttpAuth } from './http-auth.js';
import { benchHttp } from './http-baselines.js';
import { benchMetricsOverhead } from './metrics-overhead.js';
import { benchLangGraph } from './langgraph.js';
import { analysisText, METHOD_TEXT } from './lib/analysis.js';
import { liveRows } from './lib/live-rows.js';
import { postgresRows } from './lib/postgres-rows.js';
import { redisPeerRows } from './lib/redis-rows.js';
import { machineInfo, writeResults } from './lib/results.js';
import { formatText, judge, type Row } from './lib/table.js';
import { benchPeers } from './peers.js';
import { FILE_RETENTION_SIZES } from './lib/file-retention-rows.js';
import { benchStorage } from './storage-inprocess.js';

const SECTIONS = ['http', 'storage', 'embedded', 'peers', 'live', 'postgres', 'langgraph'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  quick: boolean;
  only: Set<Section>;
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: new Set(SECTIONS), out: fileURLToPath(new URL('results.md', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--quick') args.quick = true;
    else if (flag === '--only') {
      const wanted = value().split(',').filter(Boolean);
      for (const s of wanted) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s} (${SECTIONS.join(', ')})`);
      args.only = new Set(wanted as Section[]);
    } else if (flag === '--out') args.out = value();
    else throw new Error(`unknown argument ${argv[i]} (known: --quick, --only a,b, --out path)`);
  }
  return args;
}

/** Per-mode sizes: quick fits in a minute on 2 busy cores, full in a few minutes. */
function settings(quick: boolean) {
  return quick
    ? { httpSec: 1, httpRounds: 1, warmup: 50, warmupSec: 0, loopMs: 250, costPairs: 150, fileOpenEntries: 50_000, fileModes: undefined, thawSamples: 15, peerRounds: 1, redisSec: 0.5, pgSec: 1, pgCost: 100, pgLive: 50, liveQuick: true, langgraphRuns: 4, langgraphRounds: 1, watchdogMs: 300_000 }
    : { httpSec: 2, httpRounds: 4, warmup: 300, warmupSec: 1, loopMs: 2000, costPairs: 1000, fileOpenEntries: 200_000, fileModes: ['wal', 'per-thread-fsync'] as FileDurability[], thawSamples: 100, peerRounds: 2, redisSec: 3, pgSec: 3, pgCost: 400, pgLive: 200, liveQuick: false, langgraphRuns: 12, langgraphRounds: 2, watchdogMs: 1_800_000 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const s = settings(args.quick);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const info = machineInfo(command, args.quick ? 'quick' : 'full');
  const log = (line: string): void => console.error(line);
  const t0 = performance.now();
  const rows: Row[] = [];
  let redis: TestRedis | undefined;
  let redisError = '';
  const watchdog = setTimeout(() => {
    console.error(`bench: gave up after ${s.watchdogMs / 1000} s`);
    void (redis?.close() ?? Promise.resolve()).finally(() => process.exit(2));
  }, s.watchdogMs);
  const onSignal = (): void => {
    void (redis?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const section = async (name: Section, label: string, run: () => Promise<Row[]>): Promise<void> => {
    if (!args.only.has(name)) return;
    log(`bench: ${label}…`);
    const started = performance.now();
    try {
      rows.push(...(await run()));
    } catch (error) {
      rows.push({ section: label, name: `${label} (whole section)`, value: null, unit: '', note: `failed: ${(error as Error).message}` });
    }
    log(`bench: ${label} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };

  try {
    try {
      redis = await startRedis({ ownServer: true });
    } catch (error) {
      redisError = `redis-server could not start: ${(error as Error).message.split('\n')[0]}`;
    }
    const redisUrl = redis?.url;
    await section('http', 'HTTP', async () => {
      const append = await benchHttpAppend({ durationSec: s.httpSec, rounds: s.httpRounds, log: (l) => log(`  http-append ${l}`) })
        .then((r) => ({ ok: true as const, r }))
        .catch((error: Error) => ({ ok: false as const, error }));
      const baseline = await benchHttp({ durationSec: s.httpSec, rounds: s.httpRounds, warmupRequests: s.warmup, warmupSec: s.warmupSec, redisUrl, log });
      const appendRows = httpAppendRows(append);
      const at = baseline.findIndex((r) => r.name.startsWith('appendEntries, memory'));
      baseline.splice(at, 0, ...appendRows, ...(await authRows(s.httpSec, s.httpRounds, log)));
      const metrics = await benchMetricsOverhead({ durationSec: s.httpSec, rounds: Math.max(2, s.httpRounds), log: (l) => log(`  metrics-overhead ${l}`) })
        .then((r) => ({ ok: true as const, r }))
        .catch((error: Error) => ({ ok: false as const, error }));
      baseline.splice(at + appendRows.length, 0, {
        section: 'HTTP',
        name: 'appendEntries, memory, metrics on vs off (bench/metrics-overhead.ts)',
        value: metrics.ok ? metrics.r.on.requestsPerSecond : null,
        unit: 'req/s',
        baseline: { name: 'same, CRYO_METRICS=off', value: metrics.ok ? metrics.r.off.requestsPerSecond : null },
        target: { on: 'ratio', kind: 'min', bound: 0.95 },
        note: metrics.ok
          ? `median round ratio ${metrics.r.medianRoundRatio.toFixed(3)}; server CPU/req ${metrics.r.on.cpuMicrosPerRequest.toFixed(0)} µs on vs ${metrics.r.off.cpuMicrosPerRequest.toFixed(0)} µs off (off÷on ${metrics.r.cpuRatio.toFixed(3)})`
          : `failed: ${metrics.error.message}`,
      });
      return baseline;
    });
    await section('storage', 'Storage', () =>
      benchStorage({
        durationMs: s.loopMs,
        costPairs: s.costPairs,
        thawSamples: s.thawSamples,
        fileOpenEntries: s.fileOpenEntries,
        fileModes: s.fileModes,
        fileRetention: args.quick ? FILE_RETENTION_SIZES.quick : FILE_RETENTION_SIZES.full,
        redisUrl,
        log,
      }),
    );
    await section('embedded', 'Embedded', () =>
      benchEmbeddedStores({ ...(args.quick ? EMBEDDED_SIZES.quick : EMBEDDED_SIZES.full), log }),
    );
    await section('peers', 'Peers', async () => [
      ...(await benchPeers({ durationMs: s.loopMs, rounds: s.peerRounds, log })),
      ...(await redisPeerRows({ seconds: s.redisSec, url: redisUrl, unavailable: redisError, trimMb: args.quick ? 10 : 50 })),
    ]);
    await section('live', 'Live', () => liveRows({ quick: s.liveQuick, redisUrl, redisUnavailable: redisError, log }));
    await section('postgres', 'Postgres', () => postgresRows({ seconds: s.pgSec, costSamples: s.pgCost, liveSamples: s.pgLive }));
    await section('langgraph', 'LangGraph', () => benchLangGraph({ runs: s.langgraphRuns, rounds: s.langgraphRounds, log }));
  } finally {
    clearTimeout(watchdog);
    await redis?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  info.seconds = (performance.now() - t0) / 1000;
  const judged = rows.map(judge);
  console.log(formatText(judged));
  await writeResults(args.out, info, judged, { method: METHOD_TEXT, analysis: analysisText(judged) });
  console.log(`\nwrote ${args.out} (${Math.round(info.seconds)} s)`);
}

await main();

/**
 * Issue 17's HTTP append rows (bench/http-append.ts, auth on with an API key, metrics on): server
 * CPU per append vs per `{ __typename }` (medians over rounds), and req/s vs `{ __typename }` and vs
 * the bare node:http append (best runs; the notes give the medians of the per-round ratios).
 */
function httpAppendRows(append: { ok: true; r: HttpAppendBenchResult } | { ok: false; error: Error }): Row[] {
  const section = 'HTTP';
  const what = 'appendEntries, memory, auth (API key) + metrics on';
  if (!append.ok) return [{ section, name: `${what} (bench/http-append.ts)`, value: null, unit: '', note: `failed: ${append.error.message}` }];
  const { r } = append;
  const rounds = (pick: (x: HttpAppendBenchResult['rounds'][number]) => number) => r.rounds.map((x) => pick(x).toFixed(2)).join(' / ');
  return [
    {
      section,
      name: `${what}: server CPU/request vs { __typename } (bench/http-append.ts)`,
      value: r.medianCpu.append,
      unit: 'µs',
      baseline: { name: 'same server, { __typename }', value: r.medianCpu.typename },
      target: { on: 'ratio', kind: 'max', bound: 1.25 },
      note: `medians over ${r.rounds.length} rounds; per-round ratios ${rounds((x) => x.cpuRatio)}; bare node:http append ${r.medianCpu.bare.toFixed(0)} µs/request; ${r.entriesWritten} entries written, checked against 2xx`,
    },
    {
      section,
      name: `${what}: req/s vs { __typename } (bench/http-append.ts)`,
      value: r.append.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'same server, { __typename }', value: r.typename.requestsPerSecond },
      target: { on: 'ratio', kind: 'min', bound: 0.8 },
      note: `best runs; per-round ratios ${rounds((x) => x.ratio)} (median ${r.median.ratio.toFixed(2)}); p99 ${r.append.latencyP99Ms} ms vs ${r.typename.latencyP99Ms} ms`,
    },
    {
      section,
      name: `${what}: req/s vs bare node:http append (bench/http-append.ts)`,
      value: r.append.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'bare node:http, memory, no auth', value: r.bare.requestsPerSecond },
      target: { on: 'ratio', kind: 'min', bound: 0.5 },
      note: `best runs; per-round ratios ${rounds((x) => x.bareRatio)} (median ${r.median.bareRatio.toFixed(2)}); bare p99 ${r.bare.latencyP99Ms} ms`,
    },
    {
      section,
      name: `${what}: server CPU/request, fast lane vs the same server with the fast lane off (bench/http-append.ts)`,
      value: r.medianCpu.append,
      unit: 'µs',
      baseline: { name: 'fast lane off: every request through Yoga', value: r.medianCpu.yogaAppend },
      note: `no target: what server/fast-lane.ts saves; medians over rounds; best runs ${r.append.requestsPerSecond.toFixed(0)} vs ${r.yogaAppend.requestsPerSecond.toFixed(0)} req/s`,
    },
  ];
}

/** appendEntries with an API key and with a JWT vs auth off (bench/http-auth.ts): req/s and server CPU per request. */
async function authRows(seconds: number, rounds: number, log: (line: string) => void): Promise<Row[]> {
  const name = (what: string) => `appendEntries with ${what} vs auth off, memory (bench/http-auth.ts)`;
  try {
    const r = await benchHttpAuth({ durationSec: seconds, rounds, log: (l) => log(`  http-auth ${l}`) });
    const medians = `median round ratio ${r.medianRoundRatio.apiKey.toFixed(2)} (key), ${r.medianRoundRatio.jwt.toFixed(2)} (JWT)`;
    const verify = `${medians}; cached verification ${r.cachedVerifyMicros.apiKey.toFixed(1)} µs (key) / ${r.cachedVerifyMicros.jwt.toFixed(1)} µs (JWT) per call in-process`;
    return [
      { section: 'HTTP', name: name('an API key'), value: r.apiKey.requestsPerSecond, unit: 'req/s', baseline: { name: 'auth off', value: r.off.requestsPerSecond }, target: { on: 'ratio', kind: 'min', bound: 0.9 }, note: verify },
      { section: 'HTTP', name: name('a JWT (HS256)'), value: r.jwt.requestsPerSecond, unit: 'req/s', baseline: { name: 'auth off', value: r.off.requestsPerSecond }, target: { on: 'ratio', kind: 'min', bound: 0.9 }, note: medians },
      { section: 'HTTP', name: `${name('an API key')}: server CPU/request`, value: r.apiKey.cpuMicrosPerRequest, unit: 'µs', baseline: { name: 'auth off', value: r.off.cpuMicrosPerRequest }, target: { on: 'ratio', kind: 'max', bound: 1.11 } },
      { section: 'HTTP', name: `${name('a JWT (HS256)')}: server CPU/request`, value: r.jwt.cpuMicrosPerRequest, unit: 'µs', baseline: { name: 'auth off', value: r.off.cpuMicrosPerRequest }, target: { on: 'ratio', kind: 'max', bound: 1.11 } },
    ];
  } catch (error) {
    return [{ section: 'HTTP', name: name('a credential'), value: null, unit: 'req/s', note: `failed: ${(error as Error).message}` }];
  }
}
