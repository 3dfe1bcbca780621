import { benchLive } from '../live.js';
import type { Row } from './table.js';

/** Options of {@link liveRows}. */
export interface LiveRowOptions {
  quick: boolean;
  log?: (line: string) => void;
}

/**
 * The live-journal rows from bench/live.ts (`benchLive`, owned by the live area): delivery delay
 * at 1,000 subscribers and 5 appends/s beside a bare graphql-ws fan-out at the same rate, burst
 * delivery rate vs the same baseline, and server heap per idle subscriber. A failure rejects
 * (run.ts turns it into a "not measured" row).
 */
export async function liveRows(options: LiveRowOptions): Promise<Row[]> {
  const section = 'Live';
  const r = await benchLive({
    quick: options.quick,
    ...(options.quick ? { latencySeconds: 2, burstEntries: 30 } : {}),
    log: (line) => options.log?.(`  ${line}`),
  });
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
      value: r.memory.heapBytesPerIdleSubscriber / 1024,
      unit: 'KiB',
      note: 'heapUsed after gc, before vs after opening the subscribers (graphql-ws socket + subscription)',
    },
  ];
}
