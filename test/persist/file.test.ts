import { createFileStorage } from '../../src/storage/file/index.js';
import { describePersistSuite } from './persist-suite.js';
import { DURABILITY_MODES, tempDir } from '../storage/file-helpers.js';

for (const durability of DURABILITY_MODES) {
  describePersistSuite(`file (${durability})`, async ({ limits }) => {
    const dir = await tempDir('cryo-persist-');
    return { storage: await createFileStorage({ durability, directory: dir.path, limits }), cleanup: dir.remove };
  });
}
