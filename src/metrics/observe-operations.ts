import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import { operationLabel } from './operation-label.js';
import type { CryoMetrics } from './registry.js';

/** What the tracing part needs from @opentelemetry/api (loaded only when tracing is on). */
export interface TraceApi {
  tracer: Tracer;
  activeContext(): Context;
  withSpan<T>(span: Span, fn: () => T): T;
}

const SPAN_STATUS_ERROR = 2;

/**
 * The Yoga plugin that counts and times every GraphQL operation
 * (`cryo_graphql_operations_total`, `cryo_graphql_operation_duration_seconds`), counts live
 * events delivered (`cryo_live_events_delivered_total`; open subscriptions are read from the
 * LiveHub: metrics/live-metrics.ts) and, with a
 * tracer, runs each operation inside a span `graphql.<kind> <operation>` so storage calls made
 * while resolving it are its children. List it after the execution plugins (jit) so it wraps
 * the executor they chose. Labels come from {@link operationLabel}: no caller data. Does NOT see
 * requests refused before execution (parse or validation errors, auth).
 */
export function useObserveOperations(metrics: CryoMetrics | null, trace: TraceApi | null): Plugin {
  // prom-client's labels() hashes the label values on every call: keep the children per label set.
  const children = new Map<string, { ok: { inc(): void }; error: { inc(): void }; duration: { observe(v: number): void } }>();
  const series = (operation: string, kind: string) => {
    const key = `${operation}\0${kind}`;
    let child = children.get(key);
    if (!child && metrics) {
      child = {
        ok: metrics.operations.labels(operation, kind, 'ok'),
        error: metrics.operations.labels(operation, kind, 'error'),
        duration: metrics.operationDuration.labels(operation, kind),
      };
      children.set(key, child);
    }
    return child!;
  };
  const deliveredByOperation = new Map<string, DeliveredEvents>();
  const delivered = (operation: string): DeliveredEvents => {
    let child = deliveredByOperation.get(operation);
    if (!child) deliveredByOperation.set(operation, (child = new DeliveredEvents(metrics!.subscriptionEvents.labels(operation))));
    return child;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const label = operationLabel(args.document, args.operationName);
      const started = performance.now();
      let span: Span | undefined;
      if (trace) {
        span = trace.tracer.startSpan(`graphql.${label.kind} ${label.operation}`, {
          attributes: { 'graphql.operation.type': label.kind, 'cryo.graphql.root_field': label.operation },
        });
        const inner = executeFn;
        const active = span;
        setExecuteFn((executeArgs) => trace.withSpan(active, () => inner(executeArgs)));
      }
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          if (metrics) {
            const child = series(label.operation, label.kind);
            (failed ? child.error : child.ok).inc();
            child.duration.observe((performance.now() - started) / 1000);
          }
          if (span) {
            if (failed) span.setStatus({ code: SPAN_STATUS_ERROR });
            span.end();
          }
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const label = operationLabel(args.document, args.operationName);
      const started = performance.now();
      let span: Span | undefined;
      if (trace) {
        span = trace.tracer.startSpan(`graphql.subscription ${label.operation}`, {
          attributes: { 'graphql.operation.type': 'subscription', 'cryo.graphql.root_field': label.operation },
        });
        const inner = subscribeFn;
        const active = span;
        setSubscribeFn((subscribeArgs) => trace.withSpan(active, () => inner(subscribeArgs)));
      }
      return {
        onSubscribeResult({ result }) {
          const failed = !(Symbol.asyncIterator in result) && Array.isArray(result.errors) && result.errors.length > 0;
          if (metrics) {
            const child = series(label.operation, 'subscription');
            (failed ? child.error : child.ok).inc();
            child.duration.observe((performance.now() - started) / 1000);
          }
          span?.end();
          if (failed || !metrics) return;
          // Only onNext: an onEnd hook would wrap every stream in one more iterator; open
          // subscriptions are read from the LiveHub at scrape (metrics/live-metrics.ts).
          const events = delivered(label.operation);
          return {
            onNext() {
              events.add();
            },
          };
        },
      };
    },
  };
}

/**
 * `cryo_live_events_delivered_total` of one subscription root field, shared by all its
 * subscriptions. Events are counted in a plain number and added to the counter once per
 * event-loop turn (setImmediate), so a fan-out to N subscribers costs one counter update, not N
 * (bench/README.md, "Live"); a scrape sees them from the next turn on. It does NOT flush at
 * shutdown (a last turn's count may be missing).
 */
class DeliveredEvents {
  #pending = 0;

  constructor(readonly counter: { inc(value: number): void }) {}

  add(): void {
    if (this.#pending++ === 0) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const count = this.#pending;
    this.#pending = 0;
    this.counter.inc(count);
  }
}
