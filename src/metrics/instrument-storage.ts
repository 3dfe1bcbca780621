import type { Span, Tracer } from '@opentelemetry/api';
import { CryoError } from '../domain/errors.js';
import type { AppendEntriesResult, ChangeFeed, Storage } from '../storage/types.js';
import type { CryoMetrics } from './registry.js';

/** What {@link instrumentStorage} reports to. Either may be absent. */
export interface StorageInstruments {
  metrics?: CryoMetrics | null;
  /** Storage calls become spans of this tracer (children of the active span, e.g. the GraphQL operation). */
  tracer?: Tracer | null;
}

/** SpanStatusCode.ERROR, without loading @opentelemetry/api when tracing is off. */
const SPAN_STATUS_ERROR = 2;

/** The wrapped storage, and how to stop watching a storage that is lent (not closed by its user). */
export interface InstrumentedStorage {
  storage: Storage;
  /** Stops counting the feed's reconnects. Idempotent; close() of the wrapped storage does it too. */
  detach(): void;
}

/** Methods that are not storage calls worth a series (lifecycle, accessors). */
const NOT_MEASURED = new Set(['close', 'constructor']);

/**
 * Wraps a Storage so that every method call is timed (`cryo_storage_call_duration_seconds{method}`),
 * STORAGE_UNAVAILABLE failures and revision conflicts are counted, written entries are counted,
 * the change feed's reconnects are counted, and — with a tracer — each call is a span named
 * `storage.<method>`. One decorator for every adapter: adapters are not edited. Methods an
 * adapter adds beyond the interface (stats(), namespaces(), …) pass through, measured too; the
 * label is the method name, so it is bounded by the code. Calls run on the original object
 * (private fields keep working). Does NOT change results or errors.
 */
export function instrumentStorage(storage: Storage, instruments: StorageInstruments): InstrumentedStorage {
  const { metrics, tracer } = instruments;
  if (!metrics && !tracer) return { storage, detach() {} };
  // Keyed by the function itself: a method replaced on the storage later is measured as replaced.
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, unknown>();
  const unwatch = metrics ? watchReconnects(storage.changes, metrics) : () => {};
  const proxy = new Proxy(storage, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      if (property === 'close') {
        return async () => {
          unwatch();
          await (value as () => Promise<void>).call(target);
        };
      }
      if (NOT_MEASURED.has(property)) return (value as (...a: unknown[]) => unknown).bind(target);
      const method = value as (...args: unknown[]) => unknown;
      let fn = wrapped.get(method);
      if (!fn) {
        fn = measure(target, property, method, instruments);
        wrapped.set(method, fn);
      }
      return fn;
    },
  });
  return { storage: proxy, detach: unwatch };
}

function measure(
  target: Storage,
  method: string,
  call: (...args: unknown[]) => unknown,
  { metrics, tracer }: StorageInstruments,
): (...args: unknown[]) => unknown {
  const timer = metrics?.storageDuration.labels(method);
  const settle = (started: number, error: unknown, result: unknown): void => {
    if (!metrics) return;
    try {
      timer!.observe((performance.now() - started) / 1000);
      if (error instanceof CryoError) {
        if (error.code === 'STORAGE_UNAVAILABLE') metrics.storageUnavailable.inc();
        else if (error.code === 'REVISION_CONFLICT') metrics.revisionConflicts.inc();
      } else if (error === undefined && method === 'appendEntries') {
        const appended = result as AppendEntriesResult;
        if (!appended.replayed) metrics.entriesAppended.inc(appended.entries.length);
      }
    } catch {
      // A metric that cannot be recorded must not fail (or, observed beside the call, crash) the call.
    }
  };
  const run = (args: unknown[]): unknown => {
    const started = performance.now();
    let result: unknown;
    try {
      result = call.apply(target, args);
    } catch (error) {
      settle(started, error, undefined);
      throw error;
    }
    if (!(result instanceof Promise)) {
      settle(started, undefined, result);
      return result;
    }
    // Observed beside the caller rather than in front of it: the caller awaits the adapter's own
    // promise (one promise and one microtask hop fewer per call, before everything that follows
    // the call); settle runs first, as it was registered first, and never throws.
    result.then(
      (value) => settle(started, undefined, value),
      (error: unknown) => settle(started, error, undefined),
    );
    return result;
  };
  if (!tracer) return (...args: unknown[]) => run(args);
  const name = `storage.${method}`;
  const failed = (span: Span, error: unknown): void => {
    span.recordException(error as Error);
    span.setAttribute('cryo.error.code', error instanceof CryoError ? error.code : 'INTERNAL');
    if (!(error instanceof CryoError) || error.code.startsWith('STORAGE_')) span.setStatus({ code: SPAN_STATUS_ERROR });
    span.end();
  };
  return (...args: unknown[]) =>
    tracer.startActiveSpan(name, { attributes: { 'cryo.storage.kind': target.kind } }, (span) => {
      let result: unknown;
      try {
        result = run(args);
      } catch (error) {
        failed(span, error);
        throw error;
      }
      if (!(result instanceof Promise)) {
        span.end();
        return result;
      }
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          failed(span, error);
          throw error;
        },
      );
    });
}

/** Counts `false` → `true` transitions of the feed's health as reconnects. */
function watchReconnects(feed: ChangeFeed, metrics: CryoMetrics): () => void {
  if (!feed.onStatus) return () => {};
  let down = false;
  return feed.onStatus((healthy) => {
    if (!healthy) down = true;
    else if (down) {
      down = false;
      metrics.feedReconnects.inc();
    }
  });
}
