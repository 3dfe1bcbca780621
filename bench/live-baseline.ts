/**
 * The fan-out baseline of bench/live.ts: a minimal graphql-ws server (graphql-js schema, `ws`,
 * an in-memory pubsub, no storage, no Yoga, no limits) that publishes Entry-shaped events. It
 * answers each subscription first with a `seq: -1` event, sent once its listener is attached,
 * so the client knows when publishing can start (the counterpart of Cryo's CaughtUp).
 */
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** One event of the baseline stream. */
export interface BaselineEntry {
  id: string;
  threadId: string;
  seq: number;
  kind: string;
}

export const BASELINE_QUERY = /* GraphQL */ `
  subscription($threadId: ID!) { threadEntries(threadId: $threadId) { __typename seq id kind } }
`;

const schema = buildSchema(`
  type Entry { id: ID! threadId: ID! seq: Int! kind: String! }
  type Query { ok: Boolean }
  type Subscription { threadEntries(threadId: ID!): Entry! }
`);

/** A queue-backed async iterator registered in `listeners` from creation (no lazy attach). */
function listen(listeners: Set<(e: BaselineEntry) => void>, threadId: string): AsyncIterableIterator<{ threadEntries: BaselineEntry }> {
  const queue: BaselineEntry[] = [{ id: 'ready', threadId, seq: -1, kind: 'ready' }];
  let waiter: (() => void) | null = null;
  let done = false;
  const push = (e: BaselineEntry) => {
    queue.push(e);
    waiter?.();
    waiter = null;
  };
  listeners.add(push);
  const finish = async () => {
    done = true;
    listeners.delete(push);
    waiter?.();
    return { value: undefined, done: true } as const;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (!done && queue.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
      if (done) return { value: undefined, done: true } as const;
      return { value: { threadEntries: queue.shift()! }, done: false };
    },
    return: finish,
    throw: async (error?: unknown) => {
      await finish();
      throw error;
    },
  };
}

/** Starts the baseline on 127.0.0.1:0; `publish` fans an event out to every subscriber. */
export async function startBaseline(): Promise<{ url: string; publish(e: BaselineEntry): void; close(): Promise<void> }> {
  const listeners = new Set<(e: BaselineEntry) => void>();
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer(
    {
      schema,
      roots: {
        subscription: {
          threadEntries: ({ threadId }: { threadId: string }) => listen(listeners, threadId),
        },
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    publish: (e) => {
      for (const listener of listeners) listener(e);
    },
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
