import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { describePersistSuite } from './persist-suite.js';

describePersistSuite('memory', async ({ limits }) => ({ storage: createMemoryStorage({ limits }) }));
