import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type AppOptions, buildApp } from '../../src/app.js';
import { createCryoClient, type CryoClient, type CryoClientOptions } from '../../src/client/index.js';
import { defineConfig } from '../../src/config.js';

/** A Cryo server started for a test (real HTTP + WebSocket on 127.0.0.1). */
export interface TestServer {
  app: App;
  port: number;
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
}

/**
 * Starts a server on `port` (0 = a free one) over `storage` (default `memory:`), logging nothing.
 * `app` options go to buildApp (e.g. `dashboardDir`; the repo's playground/dist by default).
 */
export async function startServer(options: { storage?: string; port?: number; app?: AppOptions } = {}): Promise<TestServer> {
  const config = defineConfig({ port: options.port ?? 0, storage: options.storage ?? 'memory:', logLevel: 'silent', shutdownGraceMs: 500 });
  const app = await buildApp(config, options.app);
  const { port, url } = await app.start();
  return { app, port, baseUrl: url, graphqlUrl: `${url}graphql` };
}

/** A typed client for a test server, with fast resubscription. */
export function clientFor(server: Pick<TestServer, 'graphqlUrl'>, options: Partial<CryoClientOptions> = {}): CryoClient {
  return createCryoClient({ url: server.graphqlUrl, retryDelay: () => 50, ...options });
}

/** A fresh id for one test. */
export function freshId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'cryo-client-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Collects events and lets a test wait (by event, never by sleeping) until they satisfy a predicate. */
export class EventLog<T> {
  readonly items: T[] = [];
  #waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves once `check(items)` holds; rejects after `ms` (a safety net, not synchronisation). */
  waitFor(check: (items: T[]) => boolean, what: string, ms = 20_000): Promise<void> {
    if (check(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items).slice(-500)}`));
      }, ms);
      const waiter = () => {
        if (!check(this.items)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }
}
