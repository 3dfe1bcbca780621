import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { describePersistSuite } from './persist-suite.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

let server: Promise<TestRedis> | undefined;
afterAll(async () => {
  await (await server)?.close();
});

describePersistSuite('redis', async ({ limits }) => {
  const redis = await (server ??= startRedis());
  return {
    storage: await createRedisStorage({ url: redis.url, limits, keyPrefix: `cryo-persist-${randomBytes(4).toString('hex')}` }),
  };
});
