import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/** One span as an OTLP/HTTP JSON export carries it. */
interface WireSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** A local OTLP/HTTP receiver: collects the spans POSTed to /v1/traces (JSON encoding). */
async function startReceiver(): Promise<{ url: string; spans: WireSpan[]; paths: string[]; waitFor(test: () => boolean): Promise<void>; close(): Promise<void> }> {
  const spans: WireSpan[] = [];
  const paths: string[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: WireSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    paths,
    waitFor: (test) =>
      new Promise<void>((resolve) => {
        if (test()) return resolve();
        const wake = () => {
          if (!test()) return;
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('OpenTelemetry traces', () => {
  it('exports a span per GraphQL operation with the storage calls as its children', async () => {
    const receiver = await startReceiver();
    try {
      app = await startTestApp('memory', { otlpEndpoint: receiver.url });
      await app.data(`mutation { appendEntries(input: { threadId: "t1", entries: [{ id: "a" }] }) { __typename } }`);
      await app.data(`query { thread(id: "t1") { id rev } }`);
      await app.close(); // flushes the batch
      await receiver.waitFor(() => receiver.spans.some((s) => s.name === 'graphql.query thread'));
      expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
      const mutation = receiver.spans.find((s) => s.name === 'graphql.mutation appendEntries')!;
      const query = receiver.spans.find((s) => s.name === 'graphql.query thread')!;
      expect(mutation).toBeDefined();
      expect(mutation.parentSpanId ?? '').toBe('');
      const append = receiver.spans.find((s) => s.name === 'storage.appendEntries')!;
      expect(append.parentSpanId).toBe(mutation.spanId);
      expect(append.traceId).toBe(mutation.traceId);
      const children = receiver.spans.filter((s) => s.parentSpanId === query.spanId).map((s) => s.name);
      expect(children).toContain('storage.getThread');
      expect(query.traceId).not.toBe(mutation.traceId);
    } finally {
      await receiver.close();
    }
  });

  // prom-client itself requires @opentelemetry/api (a no-op facade, for exemplars); the SDK, the
  // exporter and the context manager must stay unloaded.
  it('loads no OpenTelemetry SDK or exporter when no endpoint is set', async () => {
    const { execFileSync } = await import('node:child_process');
    // A fresh process: build and start the app without an endpoint and list the modules it loaded.
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { buildApp } = await import('./src/app.ts'); const { defineConfig } = await import('./src/config.ts');
         const a = await buildApp(defineConfig({ port: 0, storage: 'memory:', logLevel: 'silent' }), { dashboardDir: null, operationsDir: null });
         await a.start(); await fetch('http://127.0.0.1:' + a.server.address().port + '/graphql?query=%7B__typename%7D');
         await a.stop();
         const { createRequire } = await import('node:module');
         const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => /@opentelemetry\\/(sdk-|exporter-|otlp-|resources|context-async-hooks)/.test(p));
         console.log(JSON.stringify(loaded));`,
      ],
      { cwd: process.cwd(), encoding: 'utf8', input: '' },
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([]);
  });
});
