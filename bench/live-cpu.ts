/**
 * Server CPU per delivered live message (`npx tsx bench/live-cpu.ts [--subscribers N] [--burst N]
 * [--rounds N]`): a Cryo server (memory storage, production settings) and the bare graphql-ws
 * fan-out of bench/live-baseline.ts, in this process one after the other, each with N
 * graphql-ws subscribers in a child process (bench/live-clients.ts), so `process.cpuUsage()`
 * here is the server's alone. A round appends (Cryo: over HTTP, batches of 10) or publishes
 * (baseline: in process) `--burst` entries and waits until every subscriber has them; the figure
 * is server CPU µs (user + system; Cryo's includes its HTTP appends) per delivered message, median over the rounds, and the ratio
 * Cryo / baseline of the same run. Steadier than delivery rates on a shared machine (the CPU a
 * fan-out needs does not depend on what else runs); it does not include the clients' CPU.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { defineConfig } from '../src/config.js';
import { BASELINE_QUERY, startBaseline } from './live-baseline.js';
import type { WorkerCommand, WorkerReply } from './live-clients.js';

const value = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const subscribers = Number(value('--subscribers') ?? 1000);
const burst = Number(value('--burst') ?? 100);
const rounds = Number(value('--rounds') ?? 5);
const BATCH = 10;

const child = fork(fileURLToPath(new URL('./live-clients.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  serialization: 'advanced',
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const ask = (command: WorkerCommand, type: WorkerReply['type']) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`live-cpu: no ${type} within 120 s`)), 120_000);
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === 'failed') reject(new Error(reply.message));
      else if (reply.type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    child.send(command);
  });
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs `rounds` bursts (plus one warm-up) through `send(seq)`; CPU µs per delivered message of each. */
async function measure(firstSeq: number, send: (seq: number, count: number) => Promise<unknown>): Promise<number[]> {
  const perMessage: number[] = [];
  let seq = firstSeq;
  for (let round = 0; round <= rounds; round++) {
    await ask({ type: 'track', fromSeq: seq, count: burst }, 'tracking');
    const tracked = waitTracked();
    const before = cpuMicros();
    const writes: Promise<unknown>[] = [];
    for (let done = 0; done < burst; done += BATCH) writes.push(send(seq + done, Math.min(BATCH, burst - done)));
    await Promise.all(writes);
    await tracked;
    const used = cpuMicros() - before;
    if (round > 0) perMessage.push(used / (burst * subscribers));
    seq += burst;
  }
  return perMessage;
}

function waitTracked(): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === 'failed') reject(new Error(reply.message));
      else if (reply.type === 'tracked') {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
  });
}

const threadId = `cpu-${Date.now()}`;
const auth = { maxSocketsPerClient: subscribers, maxSubscriptionsPerClient: subscribers };
const app = await buildApp(defineConfig({ port: 0, storage: 'memory:', production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth }), {
  dashboardDir: null,
  operationsDir: null,
});
const { url } = await app.start();
const APPEND = 'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename } }';
const append = async (_seq: number, count: number) => {
  const response = await fetch(`${url}graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: APPEND, variables: { input: { threadId, entries: Array.from({ length: count }, () => ({ kind: 'bench' })) } } }),
  });
  await response.json();
};
await append(0, 1);
const SUBSCRIPTION = 'subscription($threadId: ID!) { threadEntries(threadId: $threadId) { __typename ... on Entry { seq id kind } ... on CaughtUp { rev } } }';
await ask({ type: 'open', url: `${url.replace(/^http/, 'ws')}graphql`, count: subscribers, query: SUBSCRIPTION, variables: { threadId }, field: 'threadEntries' }, 'opened');
const cryo = await measure(1, append);
await ask({ type: 'close' }, 'closed');
await app.stop();

const baseline = await startBaseline();
await ask({ type: 'open', url: baseline.url, count: subscribers, query: BASELINE_QUERY, variables: { threadId }, field: 'threadEntries' }, 'opened');
const bare = await measure(0, async (seq, count) => {
  for (let i = 0; i < count; i++) baseline.publish({ id: `e${seq + i}`, threadId, seq: seq + i, kind: 'bench' });
});
await ask({ type: 'close' }, 'closed');
await baseline.close();
child.kill();

const c = median(cryo);
const b = median(bare);
console.log(JSON.stringify({ subscribers, burst, rounds, cryoMicrosPerMessage: Number(c.toFixed(2)), baselineMicrosPerMessage: Number(b.toFixed(2)), ratio: Number((c / b).toFixed(2)), cryo: cryo.map((v) => Number(v.toFixed(2))), baseline: bare.map((v) => Number(v.toFixed(2))) }));
process.exit(0);
