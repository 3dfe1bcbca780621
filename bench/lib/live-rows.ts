import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LiveBenchResult } from '../live.js';
import type { Row } from './table.js';

/** Options of {@link liveRows}. */
export interface LiveRowOptions {
  quick: boolean;
  /** Kill each child after this long. @default 60 s quick, 300 s full (the 10,000-subscriber run: twice that) */
  timeoutMs?: number;
  /** The run's own Redis, for the two-instance row; undefined → that row is "not measured". */
  redisUrl?: string;
  /** Why there is no Redis, for the note. */
  redisUnavailable?: string;
  log?: (line: string) => void;
}

const CHILD = fileURLToPath(new URL('./live-child.ts', import.meta.url));

/** Runs bench/live.ts in a child with these flags (see `liveArgs`); resolves with its result. */
function runLiveChild(options: LiveRowOptions, args: string[], timeoutMs: number): Promise<LiveBenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...(options.quick ? ['--quick'] : []), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      for (const line of c.toString().split('\n').filter(Boolean)) options.log?.(`  ${line}`);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) {
        reject(new Error(`live child exited (${code ?? signal}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(JSON.parse(line) as LiveBenchResult);
    });
  });
}

/**
 * The live-journal rows from bench/live.ts (`benchLive`, owned by the live area): delivery delay
 * at 1,000 subscribers and 5 appends/s beside a bare graphql-ws fan-out at the same rate, burst
 * delivery rate vs the same baseline, and server heap per idle subscriber (targets of issue 17:
 * p99 ≤ 1.1×, burst ≥ 1.0×, ≤ 10 KiB); then 10,000 subscribers on one instance, and 1,000 on
 * each of two instances sharing a Redis. Each run is a child process (bench/lib/live-child.ts)
 * so its heap figure starts from a fresh heap; a child is killed after its timeout. A failure of
 * the first run rejects (run.ts turns it into a "not measured" row); a failure of the others
 * becomes their own "not measured" rows.
 */
export async function liveRows(options: LiveRowOptions): Promise<Row[]> {
  const timeoutMs = options.timeoutMs ?? (options.quick ? 60_000 : 300_000);
  const r = await runLiveChild(options, [], timeoutMs);
  return [...mainRows(r), ...(await scaleRows(options, timeoutMs))];
}

function mainRows(r: LiveBenchResult): Row[] {
  const section = 'Live';
  const n = r.subscribers.toLocaleString('en-US');
  const base = 'bare graphql-ws fan-out';
  const l = r.latency;
  return [
    {
      section,
      name: `append ack → delivery p99, ${n} subscribers at 5 appends/s`,
      value: l.ackToDeliveryP99Ms,
      unit: 'ms',
      target: { on: 'value', kind: 'max', bound: 100 },
      note:
        `p50 ${l.ackToDeliveryP50Ms} ms (negative: delivered before the writer read its response), max ${l.ackToDeliveryMaxMs} ms; ` +
        `${l.appends} appends, ${l.samples} deliveries; storage reads: ${l.sharedReads} shared, ${l.ownReads} per-subscriber (bench/live.ts)`,
    },
    {
      section,
      name: `append sent → delivery p99, ${n} subscribers at 5 appends/s`,
      value: l.sendToDeliveryP99Ms,
      unit: 'ms',
      baseline: { name: `${base}, publish → delivery p99`, value: l.baselinePublishToDeliveryP99Ms },
      target: { on: 'ratio', kind: 'max', bound: 1.1 },
      note: `p50 ${l.sendToDeliveryP50Ms} ms vs baseline p50 ${l.baselinePublishToDeliveryP50Ms} ms; Cryo's path includes the HTTP append, the baseline's starts at an in-process publish`,
    },
    {
      section,
      name: `burst delivery rate, ${n} subscribers`,
      value: r.burst.cryo.messagesPerSecond,
      unit: 'msgs/s',
      baseline: { name: base, value: r.burst.baseline?.messagesPerSecond ?? null },
      target: { on: 'ratio', kind: 'min', bound: 1.0 },
      note: `${r.burst.cryo.messages.toLocaleString('en-US')} messages in ${r.burst.cryo.seconds} s (baseline ${r.burst.baseline?.seconds ?? '–'} s); clients in a worker thread of the bench process`,
    },
    {
      section,
      name: 'server heap per idle subscriber',
      value: r.memory.heapBytesPerIdleSubscriber > 0 ? r.memory.heapBytesPerIdleSubscriber / 1024 : null,
      unit: 'KiB',
      target: { on: 'value', kind: 'max', bound: 10 },
      note:
        r.memory.heapBytesPerIdleSubscriber > 0
          ? 'heapUsed after gc, before vs after opening the subscribers (graphql-ws socket + subscription), fresh child process'
          : `invalid reading: the heap shrank by ${Math.round(-r.memory.heapBytesPerIdleSubscriber / 1024)} KiB per subscriber between the two readings`,
    },
  ];
}

/**
 * The scale rows: 10,000 subscribers on one instance (quick: 2,000), and 1,000 on each of two
 * instances sharing the run's Redis (quick: 250 each), appends sent to the first instance. No
 * baseline run (the 1,000-subscriber rows have it); fewer appends and a shorter burst, so the
 * 10,000-subscriber run stays within minutes.
 */
async function scaleRows(options: LiveRowOptions, timeoutMs: number): Promise<Row[]> {
  const section = 'Live';
  const many = options.quick ? 2000 : 10_000;
  const perInstance = options.quick ? 250 : 1000;
  const runs: Array<{ label: string; args: string[] | null; unavailable?: string; timeoutMs: number }> = [
    {
      label: `${many.toLocaleString('en-US')} subscribers, one instance`,
      args: ['--subscribers', String(many), '--no-baseline', '--burst', options.quick ? '10' : '20', '--rate', '2', '--seconds', options.quick ? '2' : '5'],
      timeoutMs: 2 * timeoutMs,
    },
    {
      label: `${perInstance.toLocaleString('en-US')} subscribers on each of two instances (Redis)`,
      args: options.redisUrl ? ['--subscribers', String(2 * perInstance), '--instances', '2', '--storage', options.redisUrl, '--no-baseline', '--burst', options.quick ? '20' : '60'] : null,
      unavailable: options.redisUnavailable || 'no redis-server',
      timeoutMs,
    },
  ];
  const rows: Row[] = [];
  for (const run of runs) {
    let r: LiveBenchResult | undefined;
    let failure = run.unavailable ?? '';
    if (run.args) {
      try {
        r = await runLiveChild(options, run.args, run.timeoutMs);
      } catch (error) {
        failure = `failed: ${(error as Error).message}`;
      }
    }
    const l = r?.latency;
    rows.push(
      {
        section,
        name: `append sent → delivery p99, ${run.label}`,
        value: l?.sendToDeliveryP99Ms ?? null,
        unit: 'ms',
        note: l
          ? `p50 ${l.sendToDeliveryP50Ms} ms, ack → delivery p99 ${l.ackToDeliveryP99Ms} ms; ${l.appends} appends, ${l.samples.toLocaleString('en-US')} deliveries; storage reads: ${l.sharedReads} shared, ${l.ownReads} per-subscriber`
          : failure,
      },
      {
        section,
        name: `burst delivery rate, ${run.label}`,
        value: r?.burst.cryo.messagesPerSecond ?? null,
        unit: 'msgs/s',
        note: r ? `${r.burst.cryo.messages.toLocaleString('en-US')} messages in ${r.burst.cryo.seconds} s` : failure,
      },
      {
        section,
        name: `server heap per idle subscriber, ${run.label}`,
        value: r && r.memory.heapBytesPerIdleSubscriber > 0 ? r.memory.heapBytesPerIdleSubscriber / 1024 : null,
        unit: 'KiB',
        note: r ? `${r.storage} storage; ${r.instances > 1 ? `the first of ${r.instances} instances (one process each), its ${Math.ceil(r.subscribers / r.instances).toLocaleString('en-US')} subscribers; ` : ''}heapUsed after gc, before vs after opening` : failure,
      },
    );
  }
  return rows;
}
