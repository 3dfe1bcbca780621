import { Gauge, Histogram } from 'prom-client';
import type { LiveHub } from '../live/live-hub.js';
import type { CryoMetrics } from './registry.js';

/** Seconds; a notification is normally served within a storage read (sub-ms to tens of ms). */
const LAG_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The subscription lag series (docs/architecture.md, src/metrics): registers them in `metrics`
 * and feeds them from `hub`.
 * - `cryo_live_delivery_lag_seconds` (histogram): per append notification, the time from its
 *   arrival in this process to the moment the entries it announced were queued for every
 *   caught-up subscriber of the thread. It grows when storage reads are slow or when a subscriber
 *   does not keep up; it does NOT include the transport (socket write, network).
 * - `cryo_live_entries_behind` (gauge, computed at scrape): entries the furthest-behind thread
 *   subscriber has yet to receive.
 * - `cryo_live_subscriptions` (gauge by root field, computed at scrape): open subscriptions of
 *   the hub, over WebSocket and SSE. Read from the hub rather than counted by a per-subscription
 *   hook, which cost every subscription a wrapping iterator (bench/README.md, "Live").
 * Labels: the root field at most, nothing about threads, namespaces or callers. Returns a function that stops feeding.
 */
export function observeLiveLag(hub: LiveHub, metrics: CryoMetrics): () => void {
  const lag = new Histogram({
    name: 'cryo_live_delivery_lag_seconds',
    help: 'Time from an append notification reaching this process to its entries being queued for every caught-up subscriber of the thread (transport not included).',
    buckets: LAG_BUCKETS,
    registers: [metrics.registry],
  });
  new Gauge({
    name: 'cryo_live_entries_behind',
    help: 'Entries the furthest-behind threadEntries subscriber of this process has yet to receive (0 when every subscriber is caught up).',
    registers: [metrics.registry],
    collect() {
      this.set(hub.maxEntriesBehind());
    },
  });
  new Gauge({
    name: 'cryo_live_subscriptions',
    help: 'Open live subscriptions, by subscription root field (threadEntries, checkpointEvents).',
    labelNames: ['subscription'] as const,
    registers: [metrics.registry],
    collect() {
      const open = hub.openSubscriptions();
      this.set({ subscription: 'threadEntries' }, open.threadEntries);
      this.set({ subscription: 'checkpointEvents' }, open.checkpointEvents);
    },
  });
  hub.measureDeliveryLag((seconds) => lag.observe(seconds));
  return () => hub.measureDeliveryLag(null);
}
