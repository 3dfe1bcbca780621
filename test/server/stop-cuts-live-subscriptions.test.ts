import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp } from '../support/app.js';
import { APPEND, caughtUp, Recording, wsClient, THREAD_ENTRIES, type WireEvent } from './live-helpers.js';

// A stop must not wait out the whole grace period because of live subscriptions: SSE streams never
// finish by themselves, so they are cut at once (their clients reconnect elsewhere, like WebSocket
// clients after 1001), while ordinary in-flight requests still finish.

const GRACE_MS = 30_000;

describe('stop with live subscriptions open', () => {
  it('ends SSE and WebSocket subscriptions at once, lets an in-flight mutation finish, and stops well within the grace period', async () => {
    const inner = await openStorage('memory:');
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowId = freshId('slow');
    const storage = new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'appendEntries') {
          return async (options: { threadId: string }) => {
            if (options.threadId === slowId) {
              enter();
              await released;
            }
            return target.appendEntries(options as never);
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Storage;
    const t = await startTestApp('memory', { shutdownGraceMs: GRACE_MS }, { storage });
    const threadId = freshId('drain');
    const client = wsClient(t.graphqlUrl);
    const abort = new AbortController();
    try {
      await t.data(APPEND, { input: { threadId, entries: [{}] } });
      const sse = await fetch(t.graphqlUrl, {
        method: 'POST',
        signal: abort.signal,
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ query: THREAD_ENTRIES, variables: { threadId, fromSeq: 0 } }),
      });
      const reader = sse.body!.getReader();
      let text = '';
      while (!text.includes('CaughtUp')) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`SSE ended early: ${text}`);
        text += new TextDecoder().decode(value);
      }
      const sseEnded = (async () => {
        try {
          while (!(await reader.read()).done);
        } catch {
          // cut: the client sees a network error and reconnects, as after a WebSocket 1001
        }
      })();
      const ws = new Recording<WireEvent>(client, THREAD_ENTRIES, { threadId, fromSeq: 0 }, 'threadEntries');
      await ws.until(caughtUp);

      const inFlight = t.gql(APPEND, { input: { threadId: slowId, entries: [{}] } }).catch((error: Error) => ({ status: 0, body: { error: error.message } as any }));
      await entered;
      const started = Date.now();
      const stopped = t.app.stop();
      await sseEnded;
      await ws.until((r) => r.completed);
      release();
      const response = await inFlight;
      await stopped;
      expect(response.status).toBe(200);
      expect(response.body.data?.appendEntries.__typename).toBe('AppendEntriesSuccess');
      expect(Date.now() - started).toBeLessThan(GRACE_MS / 3);
    } finally {
      release();
      abort.abort();
      await client.dispose();
      await t.close();
      await inner.close();
    }
  });
});
