import { afterAll } from 'vitest';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { describePersistSuite } from './persist-suite.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

let database: Promise<TestDatabase> | undefined;
afterAll(async () => {
  await (await database)?.drop();
});

describePersistSuite('postgres', async ({ limits }) => {
  const db = await (database ??= createTestDatabase());
  return { storage: await createPostgresStorage({ url: db.url, limits }) };
});
