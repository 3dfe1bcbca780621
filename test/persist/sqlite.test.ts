import { join } from 'node:path';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { describePersistSuite } from './persist-suite.js';
import { tempDir } from '../storage/file-helpers.js';

describePersistSuite('sqlite', async ({ limits }) => {
  const dir = await tempDir('cryo-persist-');
  return { storage: await createSqliteStorage({ path: join(dir.path, 'cryo.db'), limits }), cleanup: dir.remove };
});
