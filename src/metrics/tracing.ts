import type { TraceApi } from './observe-operations.js';

/** Tracing set up by {@link startTracing}. */
export interface Tracing extends TraceApi {
  /** Exports what is buffered, then stops. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing, exporting spans over OTLP/HTTP (JSON) to `endpoint` (the
 * `OTEL_EXPORTER_OTLP_ENDPOINT` base URL: spans go to `<endpoint>/v1/traces`). The SDK, the
 * exporter and the API are loaded here with dynamic imports, so a server without an endpoint
 * loads none of them. Spans are batched (exported every `exportDelayMs` or on shutdown); the
 * tracer provider is local to the caller (not registered globally), with an AsyncLocalStorage
 * context so storage calls made while an operation runs become its children. Does NOT trace
 * anything by itself: the app hands the tracer to the operation plugin and the storage decorator.
 */
export async function startTracing(options: { endpoint: string; serviceName?: string; exportDelayMs?: number }): Promise<Tracing> {
  const [api, node, exporterModule, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const exporter = new exporterModule.OTLPTraceExporter({ url });
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': options.serviceName ?? 'cryo' }),
    spanProcessors: [new node.BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 1000 })],
  });
  // A context manager of our own: with no global registration, api.context would be a no-op.
  const contexts = new AsyncLocalStorageContextManager().enable();
  const tracer = provider.getTracer('cryo');
  let stopped: Promise<void> | undefined;
  return {
    tracer: {
      startSpan: (name, spanOptions, context) => tracer.startSpan(name, spanOptions, context ?? contexts.active()),
      startActiveSpan: ((name: string, ...rest: unknown[]) => {
        const fn = rest[rest.length - 1] as (span: ReturnType<typeof tracer.startSpan>) => unknown;
        const spanOptions = (rest.length > 1 ? rest[0] : {}) as Parameters<typeof tracer.startSpan>[1];
        const span = tracer.startSpan(name, spanOptions, contexts.active());
        return contexts.with(api.trace.setSpan(contexts.active(), span), () => fn(span));
      }) as typeof tracer.startActiveSpan,
    },
    activeContext: () => contexts.active(),
    withSpan: (span, fn) => contexts.with(api.trace.setSpan(contexts.active(), span), fn),
    shutdown() {
      stopped ??= provider.shutdown().finally(() => contexts.disable());
      return stopped;
    },
  };
}
