import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { buildApp, type App } from '../../src/app.js';
import type { AuthConfig } from '../../src/auth/auth-config.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { defineConfig } from '../../src/config.js';
import { createFileStorage } from '../../src/storage/file/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { createTestDatabase } from '../support/postgres-database.js';
import type { Storage } from '../../src/storage/types.js';

/** A JWT secret the auth tests share (HS256 needs ≥ 32 characters). */
export const JWT_SECRET = 'test-secret-0123456789abcdef0123456789';

/** An HTTP answer: status, headers, parsed body. */
export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

/** A server with auth on, over real HTTP, and ways to call it with a token. */
export interface AuthApp {
  app: App;
  storage: Storage;
  graphqlUrl: string;
  /** POSTs one operation with `Authorization: Bearer <token>` (no header when token is null). */
  call(token: string | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<Answer>;
  /** Like call, but fails unless 200 with data and no errors. */
  data(token: string, query: string, variables?: Record<string, unknown>): Promise<any>;
  /** A new API key of `namespace` (created straight in storage, as `cryo keys create` does). */
  key(namespace: string, scopes: string[], expiresInSeconds?: number): Promise<string>;
  /** A graphql-ws client sending the token in connection_init; never retries. */
  ws(token: string | null): Client;
  close(): Promise<void>;
}

/** Storage kinds the auth tests run on: memory, file (temp dir), redis (a URL given), postgres (a fresh database). */
export type AuthStorageKind = 'memory' | 'file' | 'sqlite' | 'redis' | 'postgres';

/** Opens a storage of `kind` (redis needs `redisUrl`); returns it with its cleanup. */
export async function openTestStorage(kind: AuthStorageKind, redisUrl?: string): Promise<{ storage: Storage; cleanup(): Promise<void> }> {
  if (kind === 'memory') {
    const storage = createMemoryStorage();
    return { storage, cleanup: () => storage.close() };
  }
  if (kind === 'file') {
    const dir = await mkdtemp(join(tmpdir(), 'cryo-auth-'));
    const storage = await createFileStorage({ directory: dir });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'cryo-auth-sqlite-'));
    const storage = await createSqliteStorage({ path: join(dir, 'cryo.db') });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'postgres') {
    const database = await createTestDatabase();
    const storage = await createPostgresStorage({ url: database.url });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await database.drop();
      },
    };
  }
  const storage = await createRedisStorage({ url: redisUrl!, keyPrefix: `cryo-auth-${Math.random().toString(36).slice(2)}` });
  return { storage, cleanup: () => storage.close() };
}

/** Starts an app with auth on over a lent storage (memory when none). */
export async function startAuthApp(
  options: { storage?: Storage; auth?: Partial<AuthConfig>; logger?: Logger; production?: boolean } = {},
): Promise<AuthApp> {
  const storage = options.storage ?? createMemoryStorage();
  const app = await buildApp(
    defineConfig({
      port: 0,
      logLevel: 'silent',
      shutdownGraceMs: 2000,
      storage: 'memory:',
      production: options.production ?? false,
      auth: { mode: 'on', jwtSecret: JWT_SECRET, ...options.auth },
    }),
    { storage, dashboardDir: null, operationsDir: null, logger: options.logger },
  );
  const { url } = await app.start();
  const graphqlUrl = `${url}graphql`;
  const call: AuthApp['call'] = async (token, query, variables, headers = {}) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  };
  const clients: Client[] = [];
  return {
    app,
    storage,
    graphqlUrl,
    call,
    async data(token, query, variables) {
      const { status, body } = await call(token, query, variables);
      if (status !== 200 || body.errors || !body.data) throw new Error(`GraphQL request failed (${status}): ${JSON.stringify(body)}`);
      return body.data;
    },
    async key(namespace, scopes, expiresInSeconds) {
      return (await issueApiKey(storage, { namespace, scopes, label: 'test', expiresInSeconds })).secret;
    },
    ws(token) {
      const client = createClient({
        url: graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.dispose();
      await app.stop();
    },
  };
}

/** An HS256 JWT for the shared test secret. `exp`: seconds from now (default 3600). */
export async function hsJwt(claims: Record<string, unknown>, options: { exp?: number; nbf?: number; secret?: string; iss?: string; aud?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(now + (options.exp ?? 3600));
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(now + options.nbf);
  if (options.iss) jwt = jwt.setIssuer(options.iss);
  if (options.aud) jwt = jwt.setAudience(options.aud);
  return jwt.sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

/** Resolves with the close code once the client's socket closes. */
export function closeCode(client: Client): Promise<number> {
  return new Promise((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
}

/** Resolves once the client's socket is connected (connection_ack received). */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve) => client.on('connected', () => resolve()));
}
