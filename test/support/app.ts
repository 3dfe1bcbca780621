import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { defineConfig, type CryoConfig } from '../../src/config.js';

/** A Cryo server a test started on 127.0.0.1:0 over real HTTP. */
export interface TestApp {
  app: App;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  /** POSTs one GraphQL operation; returns the HTTP status and the parsed JSON body. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GqlBody<T> }>;
  /** Like gql, but fails the test unless the response is 200 with data and no errors. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the server (and removes its temp dir, for file and sqlite storage). Idempotent. */
  close(): Promise<void>;
}

/** A GraphQL response body. */
export interface GqlBody<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** The storage kinds the HTTP end-to-end tests run against. */
export const STORAGE_KINDS = ['memory', 'file', 'sqlite'] as const;
/** One of {@link STORAGE_KINDS}. */
export type StorageKind = (typeof STORAGE_KINDS)[number];

/**
 * Starts the app on a free port over `kind` storage (file, sqlite: in a fresh temp directory), logging
 * nothing. `config` overrides the defaults (limits are merged); `options` go to buildApp.
 */
export async function startTestApp(
  kind: StorageKind = 'memory',
  config: Parameters<typeof defineConfig>[0] = {},
  options: AppOptions = {},
): Promise<TestApp> {
  const dir = kind === 'memory' ? null : await mkdtemp(join(tmpdir(), 'cryo-http-'));
  const storage = kind === 'file' ? `file:${dir}` : kind === 'sqlite' ? `sqlite:${dir}/cryo.db` : 'memory:';
  const app = await buildApp(
    defineConfig({ port: 0, logLevel: 'silent', shutdownGraceMs: 2000, ...config, storage }),
    { dashboardDir: null, operationsDir: null, ...options },
  );
  const { url } = await app.start();
  const graphqlUrl = `${url}graphql`;
  let closed: Promise<void> | undefined;
  const gql: TestApp['gql'] = async (query, variables) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GqlBody<any> };
  };
  return {
    app,
    url,
    graphqlUrl,
    gql,
    async data(query, variables) {
      const { status, body } = await gql(query, variables);
      if (status !== 200 || body.errors || !body.data) {
        throw new Error(`GraphQL request failed (${status}): ${JSON.stringify(body)}`);
      }
      return body.data;
    },
    close() {
      closed ??= (async () => {
        await app.stop();
        if (dir) await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

/** A fresh id for one test. */
export function freshId(prefix = 'id'): string {
  return `${prefix}-${randomUUID()}`;
}
