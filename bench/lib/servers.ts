import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { buildApp } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';
import type { Storage } from '../../src/storage/types.js';

/** A listening benchmark target. */
export interface BenchServer {
  /** Base URL of the endpoint, e.g. `http://127.0.0.1:PORT/graphql`. */
  url: string;
  /** Stops listening and releases what the server opened (never the lent storage). Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Stock `createYoga` (defaults only) with a one-field schema (`type Query { hello: String }`) on a
 * plain node:http server: the baseline for what Cryo's plugins and limits cost.
 */
export async function startStockYoga(): Promise<BenchServer> {
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } }),
  });
  const server = createServer(yoga);
  const port = await listen(server);
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () => (closing ??= closeServer(server).then(() => yoga.dispose())),
  };
}

/**
 * The real Cryo server (`buildApp`, production settings, log level warn) on a lent storage, so the
 * benchmark can read the storage it wrote. No dashboard and no GraphiQL tabs are loaded.
 */
export async function startCryo(storage: Storage): Promise<BenchServer> {
  const config = defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'warn', shutdownGraceMs: 1000 });
  const app = await buildApp(config, { storage, dashboardDir: null, operationsDir: null });
  const { url } = await app.start();
  return { url: `${url}graphql`, close: () => app.stop() };
}

/**
 * A bare node:http handler with no GraphQL: reads the JSON body `{ threadId, entries }`, calls
 * `storage.appendEntries` (which validates, as behind GraphQL) and answers `{ rev, seqs }` as
 * JSON (400 on a storage error). The floor for what an HTTP append of this storage can cost.
 * No body limit, no routing: a baseline, not a server to deploy.
 */
export async function startBareAppend(storage: Storage): Promise<BenchServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const { threadId, entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            threadId: string;
            entries: [];
          };
          const result = await storage.appendEntries({ threadId, entries });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ rev: result.thread.rev, seqs: result.entries.map((e) => e.seq) }));
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: (error as Error).message }));
        }
      })();
    });
  });
  const port = await listen(server);
  let closing: Promise<void> | undefined;
  return { url: `http://127.0.0.1:${port}/append`, close: () => (closing ??= closeServer(server)) };
}
