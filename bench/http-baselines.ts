/**
 * HTTP figures and their baselines, measured in one run with autocannon as a child process:
 * `{ __typename }` on stock Yoga and on Cryo, appendEntries over GraphQL on each adapter, and a
 * bare node:http handler calling the same storage's append.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createFileStorage } from '../src/storage/file/index.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createRedisStorage } from '../src/storage/redis/index.js';
import type { Storage } from '../src/storage/types.js';
import { runAutocannon, type LoadResult } from './lib/autocannon.js';
import { startBareAppend, startCryo, startStockYoga, type BenchServer } from './lib/servers.js';
import { runConcurrent } from './lib/stats.js';
import { fmt, type Row } from './lib/table.js';

/** Options of {@link benchHttp}. */
export interface HttpBenchOptions {
  /** Seconds per autocannon run. */
  durationSec: number;
  /** Every case runs this many times, interleaved; the best run counts. @default 1 */
  rounds?: number;
  /** @default 32 */
  connections?: number;
  /** A Redis we own; without it the Redis rows are "not measured". */
  redisUrl?: string | undefined;
  /** Entry payload size in bytes. @default 100 */
  payloadBytes?: number;
  /** Requests sent in process before a case's first run. @default 300 */
  warmupRequests?: number;
  /** Then an unmeasured autocannon run of this many seconds per case (0 = none). @default 0 */
  warmupSec?: number;
  log?: (line: string) => void;
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const APPEND_QUERY =
  'mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } entries { id seq } } } }';

interface Case {
  key: string;
  url: string;
  body: string;
  /** True when one response looks like success. */
  verify(json: unknown): boolean;
  /** Writes storage saw so far (append cases). */
  writes?: () => Promise<number>;
}

interface Measured {
  best: LoadResult | null;
  /** req/s of every round, in order. */
  runs: number[];
  note: string;
}

async function postJson(url: string, body: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return res.json();
}

async function rev(storage: Storage, threadId: string): Promise<number> {
  return (await storage.getThread({ threadId }))?.rev ?? 0;
}

/**
 * Runs every HTTP case (`rounds` times, interleaved, best run kept) and returns the rows with
 * baselines and targets. Each case is checked first with one request whose response must be a
 * success, and append cases are checked afterwards against storage (writes seen ≥ 2xx counted).
 * Stops every server and closes every storage it opened, also on failure. Does NOT pin CPUs:
 * server and load generator share the machine's cores.
 */
export async function benchHttp(options: HttpBenchOptions): Promise<Row[]> {
  const log = options.log ?? (() => {});
  const connections = options.connections ?? 32;
  const payload = { text: 'x'.repeat(options.payloadBytes ?? 100) };
  const cleanup: (() => Promise<unknown>)[] = [];
  const skipped = new Map<string, string>();
  const cases: Case[] = [];
  try {
    const stock = await startStockYoga();
    cleanup.push(stock.close);
    cases.push({ key: 'stock', url: stock.url, body: TYPENAME, verify: (j) => dataOf(j)?.['__typename'] === 'Query' });

    const storages: { kind: string; open: () => Promise<Storage> }[] = [
      { kind: 'memory', open: async () => createMemoryStorage() },
      {
        kind: 'file',
        open: async () => {
          const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-http-'));
          cleanup.push(() => rm(dir, { recursive: true, force: true }));
          return createFileStorage({ directory: dir });
        },
      },
      {
        kind: 'redis',
        open: async () => {
          if (!options.redisUrl) throw new Error('no redis-server available');
          return createRedisStorage({ url: options.redisUrl, keyPrefix: `bench-http-${randomUUID().slice(0, 8)}` });
        },
      },
    ];
    for (const { kind, open } of storages) {
      let storage: Storage;
      try {
        storage = await open();
      } catch (error) {
        skipped.set(kind, (error as Error).message);
        continue;
      }
      cleanup.push(() => storage.close());
      const cryo: BenchServer = await startCryo(storage);
      cleanup.push(cryo.close);
      const bare = await startBareAppend(storage);
      cleanup.push(bare.close);
      if (kind === 'memory') {
        cases.push({ key: 'typename', url: cryo.url, body: TYPENAME, verify: (j) => dataOf(j)?.['__typename'] === 'Query' });
      }
      const gqlThread = `bench-http-gql-${randomUUID()}`;
      cases.push({
        key: `gql-${kind}`,
        url: cryo.url,
        body: JSON.stringify({ query: APPEND_QUERY, variables: { input: { threadId: gqlThread, entries: [{ kind: 'bench', payload }] } } }),
        verify: (j) => (dataOf(j)?.['appendEntries'] as { __typename?: string } | undefined)?.__typename === 'AppendEntriesSuccess',
        writes: () => rev(storage, gqlThread),
      });
      const bareThread = `bench-http-bare-${randomUUID()}`;
      cases.push({
        key: `bare-${kind}`,
        url: bare.url,
        body: JSON.stringify({ threadId: bareThread, entries: [{ kind: 'bench', payload }] }),
        verify: (j) => typeof (j as { rev?: unknown }).rev === 'number',
        writes: () => rev(storage, bareThread),
      });
    }

    const measured = new Map<string, Measured>(cases.map((c) => [c.key, { best: null, runs: [], note: '' }]));
    for (const c of cases) {
      const sample = await postJson(c.url, c.body);
      if (!c.verify(sample)) throw new Error(`${c.key}: unexpected response ${JSON.stringify(sample).slice(0, 300)}`);
      await runConcurrent({ concurrency: 8, durationMs: 5000, maxOps: options.warmupRequests ?? 300 }, () => postJson(c.url, c.body));
      if (options.warmupSec) await runAutocannon({ url: c.url, body: c.body, connections, durationSec: options.warmupSec });
    }
    for (let round = 0; round < (options.rounds ?? 1); round++) {
      for (const c of cases) {
        const before = c.writes ? await c.writes() : 0;
        const result = await runAutocannon({ url: c.url, body: c.body, connections, durationSec: options.durationSec });
        const m = measured.get(c.key)!;
        const problems: string[] = [];
        if (result.non2xx || result.errors || result.timeouts) {
          problems.push(`${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
        }
        if (c.writes) {
          const seen = (await c.writes()) - before;
          if (seen < result.ok || seen > result.ok + connections + result.non2xx + result.errors + result.timeouts) {
            problems.push(`storage saw ${seen} appends for ${result.ok} 2xx responses`);
          }
        }
        if (problems.length) m.note = [m.note, `round ${round + 1}: ${problems.join('; ')}`].filter(Boolean).join('; ');
        m.runs.push(result.requestsPerSecond);
        if (!m.best || result.requestsPerSecond > m.best.requestsPerSecond) m.best = result;
        log(`  http ${c.key} round ${round + 1}: ${fmt(result.requestsPerSecond)} req/s (p99 ${result.latencyP99Ms} ms)`);
      }
    }
    return rows(measured, skipped, options.rounds ?? 1);
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => {});
  }
}

function dataOf(json: unknown): Record<string, unknown> | undefined {
  return (json as { data?: Record<string, unknown> } | null)?.data;
}

function rows(measured: Map<string, Measured>, skipped: Map<string, string>, rounds: number): Row[] {
  const rps = (key: string): number | null => measured.get(key)?.best?.requestsPerSecond ?? null;
  const note = (key: string, extra = ''): string => {
    const m = measured.get(key);
    const latency = m?.best ? `p50 ${m.best.latencyP50Ms} ms, p99 ${m.best.latencyP99Ms} ms` : '';
    const runs = m && m.runs.length > 1 ? `runs ${m.runs.map((v) => fmt(v)).join(' / ')}` : '';
    const kind = key.split('-')[1] ?? '';
    return [skipped.has(kind) ? `not measured: ${skipped.get(kind)}` : '', latency, runs, m?.note ?? '', extra].filter(Boolean).join('; ');
  };
  const section = 'HTTP';
  const unit = 'req/s';
  const out: Row[] = [
    { section, name: '{ __typename }, stock createYoga (one-field schema)', value: rps('stock'), unit, note: note('stock', `best of ${rounds}`) },
    {
      section,
      name: '{ __typename }, Cryo server',
      value: rps('typename'),
      unit,
      baseline: { name: 'stock Yoga', value: rps('stock') },
      target: { on: 'ratio', kind: 'min', bound: 1.0 },
      note: note('typename'),
    },
  ];
  for (const kind of ['memory', 'file', 'redis']) {
    out.push({
      section,
      name: `appendEntries, ${kind}`,
      value: rps(`gql-${kind}`),
      unit,
      baseline: { name: 'Cryo { __typename }', value: rps('typename') },
      note: note(`gql-${kind}`, kind === 'memory' ? 'the target row is the bench/http-append.ts one; this is a second sample' : ''),
    });
  }
  for (const kind of ['memory', 'file', 'redis']) {
    out.push({
      section,
      name: `appendEntries, ${kind}, vs bare node:http append`,
      value: rps(`gql-${kind}`),
      unit,
      baseline: { name: `bare node:http, ${kind}`, value: rps(`bare-${kind}`) },
      note: note(`bare-${kind}`, 'baseline p50/p99'),
    });
  }
  return out;
}
