import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CryoSaver } from '../../src/langgraph/index.js';
import { BACKENDS, type CryoServer, startCryo } from './servers.js';

// LangGraph's validation suite is written against Vitest globals; this repo does not enable them.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });
const { specTest, deltaChannelHistoryTests } = await import('@langchain/langgraph-checkpoint-validation');

/**
 * @langchain/langgraph-checkpoint-validation, unmodified: every suite it exports (put, putWrites,
 * getTuple, list, deleteThread via specTest, and the opt-in getDeltaChannelHistory suite), against a
 * real Cryo server per storage backend. Each checkpointer gets its own key prefix, so they are
 * isolated on one server as the suite requires.
 */
for (const backend of BACKENDS) {
  describe(`CryoSaver on ${backend.name} storage`, () => {
    let server: CryoServer | undefined;
    let instances = 0;
    const initializer = {
      checkpointerName: `CryoSaver (${backend.name})`,
      beforeAllTimeout: 30_000,
      beforeAll: async () => {
        server = await startCryo(backend.name);
      },
      afterAll: async () => {
        await server?.close();
      },
      createCheckpointer: () => {
        if (!server) throw new Error('server not started');
        instances += 1;
        return new CryoSaver({ url: server.graphqlUrl, prefix: `lg${instances}` });
      },
      destroyCheckpointer: async (saver: CryoSaver) => {
        await saver.close();
      },
    };
    specTest(initializer);
    deltaChannelHistoryTests(initializer);
  });
}
