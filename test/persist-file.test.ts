import { createFileStorage } from '../src/storage/file/index.js';
import { describePersistSuite } from './persist-suite.js';
import { tempDir } from './storage/file-helpers.js';

describePersistSuite('file', async ({ limits }) => {
  const dir = await tempDir('cryo-persist-');
  return { storage: await createFileStorage({ directory: dir.path, limits }), cleanup: dir.remove };
});
