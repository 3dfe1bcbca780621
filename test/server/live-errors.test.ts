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

describe('graphql-ws in production mode', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('memory', { production: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('blocks introspection and hides limit details over WebSocket as over HTTP, while queries and subscriptions work', async () => {
    const client = wsClient(app.graphqlUrl);
    try {
      const introspection = new Recording<unknown>(client, '{ __schema { queryType { name } } }', {}, '__schema');
      await introspection.until((r) => r.completed);
      expect(introspection.data.filter(Boolean)).toEqual([]);
      expect(JSON.stringify(introspection.errors)).toMatch(/introspection/i);
      const deep = `subscription { threadEntries(threadId: "x") { ${'__typename '.repeat(2100)} } }`;
      const tooBig = new Recording<unknown>(client, deep, {}, 'threadEntries');
      await tooBig.until((r) => r.completed);
      expect(tooBig.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(tooBig.errors)).toMatch(/Query validation error/);
      expect(JSON.stringify(tooBig.errors)).not.toMatch(/2000/);
      const query = new Recording<{ storage: string }>(client, '{ serverInfo { storage } }', {}, 'serverInfo');
      await query.until((r) => r.completed);
      expect(query.data).toEqual([{ storage: 'memory' }]);
      const threadId = freshId('prod');
      const live = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId }, 'threadEntries');
      await live.until(caughtUp);
      live.dispose();
    } finally {
      await client.dispose();
    }
  });
});
