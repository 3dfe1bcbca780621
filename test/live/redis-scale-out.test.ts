import { randomBytes } from 'node:crypto';
import { createRedisStorage } from '../../src/storage/redis/index.js';
import { startRedis } from '../support/redis-server.js';
import { describeScaleOut } from './scale-out-suite.js';

describeScaleOut('Redis', async () => {
  const redis = await startRedis();
  const keyPrefix = `cryo-live-${randomBytes(4).toString('hex')}`;
  return { open: () => createRedisStorage({ url: redis.url, keyPrefix }), close: () => redis.close() };
});
