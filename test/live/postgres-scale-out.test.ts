import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { createTestDatabase } from '../support/postgres-database.js';
import { describeScaleOut } from './scale-out-suite.js';

describeScaleOut('PostgreSQL database', async () => {
  const db = await createTestDatabase();
  return { open: () => createPostgresStorage({ url: db.url }), close: () => db.drop() };
});
