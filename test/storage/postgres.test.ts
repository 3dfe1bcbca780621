import { afterAll } from 'vitest';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { describeStorageConformance } from 'cryo/storage/conformance';

let database: Promise<TestDatabase> | undefined;
const db = (): Promise<TestDatabase> => (database ??= createTestDatabase());

afterAll(async () => {
  await (await database)?.drop();
});

describeStorageConformance('postgres', async ({ limits }) => ({
  storage: await createPostgresStorage({ url: (await db()).url, limits }),
}));
