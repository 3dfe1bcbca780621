import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LiveBenchResult } from '../live.js';
import type { Row } from './table.js';

/** Options of {@link liveRows}. */
export interface LiveRowOptions {
  quick: boolean;
  /** Kill the child after this long. @default 60 s quick, 300 s full */
  timeoutMs?: number;
  log?: (line: string) => void;
}

const CHILD = fileURLToPath(new URL('./live-child.ts', import.meta.url));

function runLiveChild(options: LiveRowOptions): Promise<LiveBenchResult> {
  const timeoutMs = options.timeoutMs ?? (options.quick ? 60_000 : 300_000);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...(options.quick ? ['--quick'] : [])], {
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
 * delivery rate vs the same baseline, and server heap per idle subscriber. It runs in a child
 * process (bench/lib/live-child.ts) so the heap figure starts from a fresh heap; the child is
 * killed after `timeoutMs`. A failure rejects (run.ts turns it into a "not measured" row).
 */
export async function liveRows(options: LiveRowOptions): Promise<Row[]> {
  const section = 'Live';
  const r = await runLiveChild(options);
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
      note: `p50 ${l.sendToDeliveryP50Ms} ms vs baseline p50 ${l.baselinePublishToDeliveryP50Ms} ms; Cryo's path includes the HTTP append, the baseline's starts at an in-process publish`,
    },
    {
      section,
      name: `burst delivery rate, ${n} subscribers`,
      value: r.burst.cryo.messagesPerSecond,
      unit: 'msgs/s',
      baseline: { name: base, value: r.burst.baseline.messagesPerSecond },
      note: `${r.burst.cryo.messages.toLocaleString('en-US')} messages in ${r.burst.cryo.seconds} s (baseline ${r.burst.baseline.seconds} s); clients in a worker thread of the bench process`,
    },
    {
      section,
      name: 'server heap per idle subscriber',
      value: r.memory.heapBytesPerIdleSubscriber > 0 ? r.memory.heapBytesPerIdleSubscriber / 1024 : null,
      unit: 'KiB',
      note:
        r.memory.heapBytesPerIdleSubscriber > 0
          ? 'heapUsed after gc, before vs after opening the subscribers (graphql-ws socket + subscription), fresh child process'
          : `invalid reading: the heap shrank by ${Math.round(-r.memory.heapBytesPerIdleSubscriber / 1024)} KiB per subscriber between the two readings`,
    },
  ];
}
