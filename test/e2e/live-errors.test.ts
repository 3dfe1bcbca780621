import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { caughtUp, hasSeq, Recording, THREAD_ENTRIES, wsClient, type WireEvent } from './live-helpers.js';

describe('a storage failure during a live subscription (graphql-ws, memory storage)', () => {
  const inner = createMemoryStorage();
  let failReads = false;
  const storage = new Proxy(inner, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'readEntries') {
        return (...args: unknown[]) => {
          if (failReads) return Promise.reject(new StorageUnavailable('injected read failure'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  }) as Storage;
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('memory', {}, { storage });
  });
  afterAll(async () => {
    await app?.close();
    await inner.close();
  });

  it('ends the affected subscription with a STORAGE_UNAVAILABLE error; the socket keeps serving', async () => {
    const threadId = freshId('fail');
    const client = wsClient(app.graphqlUrl);
    try {
      const live = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
      await live.until(caughtUp);
      failReads = true;
      await app.data(`mutation { appendEntries(input: { threadId: "${threadId}", entries: [{}] }) { __typename } }`);
      await live.until((r) => r.completed);
      expect(live.errors).toMatchObject([{ extensions: { code: 'STORAGE_UNAVAILABLE' } }]);
      failReads = false;
      const again = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
      await again.until(hasSeq(0));
      again.dispose();
    } finally {
      failReads = false;
      await client.dispose();
    }
  });
});
