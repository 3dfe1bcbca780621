import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryoClient, ThreadEntriesEvent, WatchStatus } from '../../src/client/index.js';
import { clientFor, EventLog, freshId, startServer, tempDir, type TestServer } from './helpers.js';

let data: { path: string; remove(): Promise<void> };
let server: TestServer;
let writer: CryoClient;
const clients: CryoClient[] = [];

const start = (port = 0) => startServer({ storage: `file:${data.path}`, port });

beforeAll(async () => {
  data = await tempDir('cryo-client-live-');
  server = await start();
  writer = clientFor(server);
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await writer?.close();
  await server?.app.stop();
  await data?.remove();
});

function watcher(threadId: string, fromSeq?: number) {
  const client = clientFor(server);
  clients.push(client);
  const events = new EventLog<ThreadEntriesEvent>();
  const statuses = new EventLog<WatchStatus>();
  const watch = client.watchThread(threadId, { fromSeq: fromSeq ?? null, onEvent: (e) => events.push(e), onStatus: (s) => statuses.push(s) });
  const seqs = () => events.items.flatMap((e) => (e.__typename === 'Entry' ? [e.seq] : []));
  return { client, events, statuses, watch, seqs };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('typed client subscriptions against a real server', () => {
  it('raw threadEntries: CaughtUp first, then live entries', async () => {
    const threadId = freshId('raw');
    await writer.appendEntries({ threadId, entries: [{ kind: 'before' }] });
    const client = clientFor(server);
    clients.push(client);
    const iterator = client.threadEntries({ threadId });
    const first = await iterator.next();
    expect(first.value).toEqual({ __typename: 'CaughtUp', threadId, rev: 1 });
    await writer.appendEntries({ threadId, entries: [{ kind: 'after' }] });
    const second = await iterator.next();
    expect(second.value).toMatchObject({ __typename: 'Entry', seq: 1, kind: 'after' });
    await iterator.return?.();
  });

  it('watchThread delivers every entry once, in order, across a server restart (file storage, same port)', async () => {
    const threadId = freshId('restart');
    await writer.appendEntries({ threadId, entries: range(3).map((i) => ({ kind: 'k', payload: { i } })) });
    const w = watcher(threadId, 0);
    await w.events.waitFor((items) => items.some((e) => e.__typename === 'CaughtUp'), 'CaughtUp');
    await writer.appendEntries({ threadId, entries: [{ kind: 'live' }] });
    await w.events.waitFor(() => w.seqs().length === 4, '4 entries');

    const port = server.port;
    await server.app.stop();
    await w.statuses.waitFor((s) => s.includes('reconnecting'), 'reconnecting');
    server = await start(port);
    await Promise.all(range(10).map((i) => writer.appendEntries({ threadId, entries: [{ kind: 'racing', payload: { i } }] })));
    await w.events.waitFor(() => w.seqs().length >= 14, '14 entries');
    await writer.appendEntries({ threadId, entries: [{ kind: 'last' }] });
    await w.events.waitFor(() => w.seqs().length >= 15, '15 entries');

    expect(w.seqs()).toEqual(range(15));
    expect(w.watch.lastSeen).toBe(14);
    expect(w.statuses.items.at(-1)).toBe('live');
    expect(w.events.items.filter((e) => e.__typename === 'CaughtUp').length).toBeGreaterThanOrEqual(2);
  });

  it('watchThread without fromSeq starts at the current rev, and ends on ThreadDeleted', async () => {
    const threadId = freshId('tail');
    await writer.appendEntries({ threadId, entries: [{}, {}] });
    const w = watcher(threadId);
    await w.events.waitFor((items) => items.some((e) => e.__typename === 'CaughtUp'), 'CaughtUp');
    await writer.appendEntries({ threadId, entries: [{ kind: 'new' }] });
    await w.events.waitFor(() => w.seqs().length === 1, 'the new entry');
    expect(w.seqs()).toEqual([2]);
    await writer.deleteThread({ id: threadId });
    await w.statuses.waitFor((s) => s.includes('deleted'), 'deleted');
    expect(w.events.items.at(-1)).toEqual({ __typename: 'ThreadDeleted', threadId });
  });
});
