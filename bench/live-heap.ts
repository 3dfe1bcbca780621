/**
 * Heap attribution of idle live subscribers (`npx tsx bench/live-heap.ts [--subscribers N]
 * [--baseline] [--out DIR]`): a Cryo server (memory storage, production settings) — or, with
 * `--baseline`, the bare graphql-ws server of bench/live-baseline.ts — takes a heap snapshot
 * before and after N idle graphql-ws subscribers of one thread (clients in a worker thread,
 * which has a heap of its own), and prints the per-subscriber difference of shallow sizes by
 * node type and constructor, largest first. Shallow sizes add up to the heapUsed difference
 * bench/live.ts reports; which owner keeps each object is read from the snapshots in DevTools
 * (findings in bench/README.md, "Live").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../src/app.js';
import { defineConfig } from '../src/config.js';
import { BASELINE_QUERY, startBaseline } from './live-baseline.js';
import type { WorkerCommand, WorkerReply } from './live-clients.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Shallow size and count per "type:name" of a snapshot file. */
function sizesByConstructor(file: string): Map<string, { size: number; count: number }> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!]!;
    let name = data.strings[data.nodes[i + nameAt]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    else if (type === 'number') name = '(number)';
    else if (type === 'code') name = '(code)';
    else if (name.length > 60) name = `${name.slice(0, 60)}…`;
    const key = `${type}:${name}`;
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += data.nodes[i + sizeAt]!;
    entry.count++;
    out.set(key, entry);
  }
  return out;
}

const value = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const subscribers = Number(value('--subscribers') ?? 1000);
const baselineMode = process.argv.includes('--baseline');
const outDir = value('--out') ?? '/tmp';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const api = import.meta.resolve('tsx/esm/api');
const clientsFile = new URL('./live-clients.ts', import.meta.url).href;
const worker = new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(clientsFile)}); })`, { eval: true });
const ask = (command: WorkerCommand, type: WorkerReply['type']) =>
  new Promise<void>((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === 'failed') reject(new Error(reply.message));
      else if (reply.type === type) {
        worker.off('message', onMessage);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.postMessage(command);
  });

const threadId = 'heap';
let url: string;
let stop: () => Promise<void>;
let query: string;
if (baselineMode) {
  const baseline = await startBaseline();
  url = baseline.url;
  stop = baseline.close;
  query = BASELINE_QUERY;
} else {
  const auth = { maxSocketsPerClient: subscribers + 1, maxSubscriptionsPerClient: subscribers + 1 };
  const app = await buildApp(defineConfig({ port: 0, storage: 'memory:', production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth }), {
    dashboardDir: null,
    operationsDir: null,
  });
  url = `${(await app.start()).url.replace(/^http/, 'ws')}graphql`;
  stop = () => app.stop();
  query = 'subscription($threadId: ID!) { threadEntries(threadId: $threadId) { __typename ... on Entry { seq id kind } ... on CaughtUp { rev } } }';
}
// Warm up every code path once (first socket, first subscription), so the snapshots differ by subscribers only.
await ask({ type: 'open', url, count: 1, query, variables: { threadId }, field: 'threadEntries' }, 'opened');
gc();
const heapBefore = process.memoryUsage().heapUsed;
const before = writeHeapSnapshot(`${outDir}/live-heap-before.heapsnapshot`);
await ask({ type: 'open', url, count: subscribers, query, variables: { threadId }, field: 'threadEntries' }, 'opened');
await new Promise((resolve) => setTimeout(resolve, 200));
gc();
const heapAfter = process.memoryUsage().heapUsed;
const after = writeHeapSnapshot(`${outDir}/live-heap-after.heapsnapshot`);
await ask({ type: 'close' }, 'closed');
await worker.terminate();
await stop();

const a = sizesByConstructor(before);
const b = sizesByConstructor(after);
const rows = [...b].map(([key, { size, count }]) => {
  const old = a.get(key) ?? { size: 0, count: 0 };
  return { key, bytes: (size - old.size) / subscribers, count: (count - old.count) / subscribers };
});
for (const [key, { size, count }] of a) if (!b.has(key)) rows.push({ key, bytes: -size / subscribers, count: -count / subscribers });
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(`${baselineMode ? 'baseline' : 'cryo'}: ${subscribers} subscribers; heapUsed ${((heapAfter - heapBefore) / subscribers / 1024).toFixed(2)} KiB each; snapshot shallow ${(total / 1024).toFixed(2)} KiB each`);
for (const r of rows.slice(0, Number(value('--top') ?? 60))) console.log(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)}×  ${r.key}`);
if (fileURLToPath(import.meta.url) === process.argv[1]) process.exit(0);
