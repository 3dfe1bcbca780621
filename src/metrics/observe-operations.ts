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
 * (`cryo_graphql_operations_total`, `cryo_graphql_operation_duration_seconds`), tracks open live
 * subscriptions (`cryo_live_subscriptions`, `cryo_live_events_delivered_total`) and, with a
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
  const liveSeries = new Map<string, LiveSeries>();
  const live = (operation: string): LiveSeries => {
    let child = liveSeries.get(operation);
    if (!child) liveSeries.set(operation, (child = new LiveSeries(metrics!, operation)));
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
          const subscriptions = live(label.operation);
          subscriptions.opened();
          let open = true;
          return {
            onNext() {
              subscriptions.delivered();
            },
            onEnd() {
              if (open) subscriptions.closed();
              open = false;
            },
          };
        },
      };
    },
  };
}

/**
 * The live series of one subscription root field, shared by all its subscriptions (one labelled
 * child each, not one per subscription: bench/README.md, "Live"). Delivered events are counted
 * in a plain number and added to the counter once per event-loop turn (setImmediate), so a
 * fan-out to N subscribers costs one counter update, not N; a scrape sees them from the next
 * turn on. It does NOT flush on its own at shutdown (a last turn's count may be missing).
 */
class LiveSeries {
  readonly #gauge: { inc(): void; dec(): void };
  readonly #delivered: { inc(value: number): void };
  #pending = 0;

  constructor(metrics: CryoMetrics, operation: string) {
    this.#gauge = metrics.liveSubscriptions.labels(operation);
    this.#delivered = metrics.subscriptionEvents.labels(operation);
  }

  opened(): void {
    this.#gauge.inc();
  }

  closed(): void {
    this.#gauge.dec();
  }

  delivered(): void {
    if (this.#pending++ === 0) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const count = this.#pending;
    this.#pending = 0;
    if (count > 0) this.#delivered.inc(count);
  }
}
