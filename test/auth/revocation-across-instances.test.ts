import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import type { Storage } from '../../src/storage/types.js';
import { CAN_OWN_REDIS, startRedis, type TestRedis } from '../support/redis-server.js';
import { closeCode, connected, startAuthApp, type AuthApp } from './helpers.js';

const VIEWER = '{ viewer { namespace } }';

const SHARED = [
  ['one Redis', !CAN_OWN_REDIS && !process.env['REDIS_URL']],
  ['one PostgreSQL database', false],
] as const;

describe.each(SHARED)('two instances on %s: revocation travels through the change feed', (name, skip) => {
  let redis: TestRedis | undefined;
  let database: TestDatabase | undefined;
  const storages: Storage[] = [];
  let a: AuthApp;
  let b: AuthApp;

  beforeAll(async () => {
    if (skip) return;
    if (name === 'one Redis') {
      redis = await startRedis();
      const prefix = `cryo-revoke-${Date.now()}`;
      for (let i = 0; i < 2; i++) storages.push(await createRedisStorage({ url: redis.url, keyPrefix: prefix }));
    } else {
      database = await createTestDatabase();
      for (let i = 0; i < 2; i++) storages.push(await createPostgresStorage({ url: database.url }));
    }
    // A long cache: only the change feed can make B forget the key quickly.
    a = await startAuthApp({ storage: storages[0], auth: { cacheMs: 600_000 } });
    b = await startAuthApp({ storage: storages[1], auth: { cacheMs: 600_000 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const s of storages) await s.close();
    await redis?.close();
    await database?.drop();
  });

  it('a key created on A works on B; revoked on A, it closes its socket on B (4403) and B refuses it (401)', async (ctx) => {
    if (skip) return ctx.skip();
    const admin = await a.key('team', ['admin']);
    const created = (await a.data(admin, 'mutation { createApiKey(input: { label: "agent", scopes: ["read", "write"] }) { ... on CreateApiKeySuccess { secret apiKey { id } } } }'))
      .createApiKey;
    const secret: string = created.secret;
    expect((await b.data(secret, VIEWER)).viewer.namespace).toBe('team'); // now cached on B
    const socket = b.ws(secret);
    const closed = closeCode(socket);
    await connected(socket);
    await new Promise<void>((resolve) => {
      socket.subscribe({ query: 'subscription { threadEntries(threadId: "t") { __typename } }' }, { next: () => resolve(), error: () => {}, complete: () => {} });
    });
    const other = b.ws(admin);
    await connected(other);

    expect((await a.data(admin, `mutation { revokeApiKey(id: "${created.apiKey.id}") { deleted } }`)).revokeApiKey.deleted).toBe(true);
    expect(await closed).toBe(4403);
    const refused = await b.call(secret, VIEWER);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await a.call(secret, VIEWER)).status).toBe(401);
    // Other credentials' sockets stay open.
    const still = await new Promise<any>((resolve) => other.subscribe({ query: VIEWER }, { next: resolve, error: resolve, complete: () => {} }));
    expect(still.data.viewer.namespace).toBe('team');
    const listed = (await a.data(admin, '{ apiKeys { edges { node { id revokedAt } } } }')).apiKeys.edges.map((e: any) => e.node);
    expect(listed.find((k: any) => k.id === created.apiKey.id).revokedAt).not.toBeNull();
  });
});
