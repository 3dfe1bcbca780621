/**
 * Worker thread (or, past a few thousand sockets, child process: the server and its clients
 * together would exceed the file descriptor limit) of bench/live.ts: opens many graphql-ws
 * subscriptions (one socket each) and records when each entry arrives, on its own event loop so
 * the clients do not share the server's. Commands come from the parent as messages; see
 * {@link WorkerCommand}.
 */
import { createClient, type Client } from 'graphql-ws';
import { parentPort } from 'node:worker_threads';
import { WebSocket } from 'ws';

/** Commands the parent sends. */
export type WorkerCommand =
  | { type: 'open'; url: string; count: number; query: string; variables: Record<string, unknown>; field: string }
  | { type: 'track'; fromSeq: number; count: number }
  | { type: 'close' };

/** Replies to the parent. */
export type WorkerReply =
  | { type: 'opened' }
  | { type: 'tracking' }
  | { type: 'tracked'; fromSeq: number; count: number; arrivals: number[][] }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const now = (): number => performance.timeOrigin + performance.now();
/** The parent: the worker's port, or this child process's IPC channel. */
const port: { postMessage(message: WorkerReply): void; on(event: 'message', listener: (command: WorkerCommand) => void): void } = parentPort ?? {
  postMessage: (message) => process.send!(message),
  on: (event, listener) => {
    process.on(event, listener);
    process.on('disconnect', () => process.exit(0));
  },
};
let clients: Client[] = [];
/** Clients the parent's 'close' disposed: their completions (possibly after the dispose resolved) are expected. */
const retired = new WeakSet<Client>();
let readyWaiting = 0;
let onReady: (() => void) | null = null;
let tracking: { fromSeq: number; count: number; arrivals: number[][]; remaining: number } | null = null;

function onEvent(event: { __typename?: string; seq?: number } | undefined, first: { seen: boolean }): void {
  if (!first.seen) {
    first.seen = true;
    if (--readyWaiting === 0) onReady?.();
    return;
  }
  const seq = event?.seq;
  if (tracking && typeof seq === 'number' && seq >= tracking.fromSeq && seq < tracking.fromSeq + tracking.count) {
    tracking.arrivals[seq - tracking.fromSeq]!.push(now());
    if (--tracking.remaining === 0) {
      const { fromSeq, count, arrivals } = tracking;
      tracking = null;
      port.postMessage({ type: 'tracked', fromSeq, count, arrivals } satisfies WorkerReply);
    }
  }
}

/** Opens the subscriptions 100 at a time (a thousand simultaneous connects can overflow the listen backlog). */
async function open(command: Extract<WorkerCommand, { type: 'open' }>): Promise<void> {
  for (let done = 0; done < command.count; done += 100) await openSome(command, Math.min(100, command.count - done));
  port.postMessage({ type: 'opened' } satisfies WorkerReply);
}

async function openSome(command: Extract<WorkerCommand, { type: 'open' }>, count: number): Promise<void> {
  readyWaiting = count;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: command.url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
    clients.push(client);
    const first = { seen: false };
    client.subscribe<Record<string, { __typename?: string; seq?: number }>>(
      { query: command.query, variables: command.variables },
      {
        next: (result) => {
          if (result.errors) port.postMessage({ type: 'failed', message: `subscription error: ${JSON.stringify(result.errors).slice(0, 300)}` } satisfies WorkerReply);
          else onEvent(result.data?.[command.field], first);
        },
        error: (error) => port.postMessage({ type: 'failed', message: `subscription error: ${describe(error)}` } satisfies WorkerReply),
        // The server completes a subscription only on error (reported above) or deletion: either ends the run.
        complete: () => {
          if (!retired.has(client)) port.postMessage({ type: 'failed', message: 'a subscription completed' } satisfies WorkerReply);
        },
      },
    );
  }
  await ready;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const e = error as { code?: number; reason?: string; type?: string };
  return e && typeof e === 'object' && ('code' in e || 'type' in e) ? `${e.type ?? 'close'} ${e.code ?? ''} ${e.reason ?? ''}` : JSON.stringify(error);
}

port.on('message', (command: WorkerCommand) => {
  if (command.type === 'open') {
    open(command).catch((error: Error) => port.postMessage({ type: 'failed', message: error.message } satisfies WorkerReply));
  } else if (command.type === 'track') {
    tracking = {
      fromSeq: command.fromSeq,
      count: command.count,
      arrivals: Array.from({ length: command.count }, () => []),
      remaining: command.count * clients.length,
    };
    port.postMessage({ type: 'tracking' } satisfies WorkerReply);
  } else {
    const closed = clients;
    for (const client of closed) retired.add(client);
    clients = [];
    void Promise.all(closed.map((c) => c.dispose())).then(() => port.postMessage({ type: 'closed' } satisfies WorkerReply));
  }
});
