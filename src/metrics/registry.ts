import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Seconds; storage calls are mostly sub-millisecond (memory, file) to tens of ms (network). */
const STORAGE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds; a GraphQL operation includes parsing, validation and every storage call it makes. */
const OPERATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every Prometheus series a Cryo server exports, in one registry of its own (tests build several
 * apps in one process, so nothing goes to prom-client's global registry). Labels are bounded by
 * the code (operation = a root field of the schema, kind, outcome, storage method): they never
 * carry ids, namespaces or any other caller data.
 */
export class CryoMetrics {
  readonly registry = new Registry();
  readonly operations = new Counter({
    name: 'cryo_graphql_operations_total',
    help: 'GraphQL operations executed, by root field (operation), kind (query, mutation, subscription) and outcome (ok, error).',
    labelNames: ['operation', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'cryo_graphql_operation_duration_seconds',
    help: 'Time to execute a query or mutation (subscriptions: time to set up the stream), by root field and kind.',
    labelNames: ['operation', 'kind'] as const,
    buckets: OPERATION_BUCKETS,
    registers: [this.registry],
  });
  readonly entriesAppended = new Counter({
    name: 'cryo_entries_appended_total',
    help: 'Journal entries written (replayed retries not counted).',
    registers: [this.registry],
  });
  readonly revisionConflicts = new Counter({
    name: 'cryo_revision_conflicts_total',
    help: 'Writes refused because expectedRev did not match (threads and checkpoints).',
    registers: [this.registry],
  });
  readonly subscriptionEvents = new Counter({
    name: 'cryo_live_events_delivered_total',
    help: 'Events delivered to live subscribers, by subscription root field.',
    labelNames: ['subscription'] as const,
    registers: [this.registry],
  });
  readonly storageDuration = new Histogram({
    name: 'cryo_storage_call_duration_seconds',
    help: 'Time of each storage adapter call, by method (successful and failed calls alike).',
    labelNames: ['method'] as const,
    buckets: STORAGE_BUCKETS,
    registers: [this.registry],
  });
  readonly storageUnavailable = new Counter({
    name: 'cryo_storage_unavailable_total',
    help: 'Storage calls that failed with STORAGE_UNAVAILABLE (backend down, timeout).',
    registers: [this.registry],
  });
  readonly retentionSweeps = new Counter({
    name: 'cryo_retention_sweeps_total',
    help: 'Retention sweeps by outcome: done, skipped (another process held the sweep lease), failed.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly retentionSweptEntries = new Counter({
    name: 'cryo_retention_swept_entries_total',
    help: 'Journal entries dropped by retention sweeps (trims and maxEntries appends not counted).',
    registers: [this.registry],
  });
  readonly feedReconnects = new Counter({
    name: 'cryo_storage_reconnects_total',
    help: "Times the storage's change feed came back after losing its connection (Redis, Postgres).",
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition of every series. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
