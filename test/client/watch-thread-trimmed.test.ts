import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryoClient, ThreadEntriesEvent, WatchStatus } from '../../src/client/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { clientFor, EventLog, freshId, startServer, type TestServer } from './helpers.js';

/**
 * watchThread against a real server whose journals get trimmed (memory storage, lent to the app
 * so that it outlives a restart; trims go straight to the storage until the trimThread mutation
 * lands).
 */
let storage: Storage;
let server: TestServer;
let writer: CryoClient;
const clients: CryoClient[] = [];

const start = (port = 0) => startServer({ port, app: { storage, dashboardDir: null, operationsDir: null } });

beforeAll(async () => {
  storage = createMemoryStorage();
  server = await start();
  writer = clientFor(server);
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await writer?.close();
  await server?.app.stop();
  await storage?.close();
});

function watcher(threadId: string, fromSeq: number) {
  const client = clientFor(server);
  clients.push(client);
  const events = new EventLog<ThreadEntriesEvent>();
  const statuses = new EventLog<WatchStatus>();
  const watch = client.watchThread(threadId, { fromSeq, onEvent: (e) => events.push(e), onStatus: (s) => statuses.push(s) });
  const seqs = () => events.items.flatMap((e) => (e.__typename === 'Entry' ? [e.seq] : []));
  const markers = () => events.items.filter((e) => e.__typename === 'JournalTrimmed');
  return { events, statuses, watch, seqs, markers };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const append = async (threadId: string, count: number) => {
  const result = await writer.appendEntries({ threadId, entries: range(0, count).map((i) => ({ kind: 'k', payload: { i } })) });
  expect(result.__typename).toBe('AppendEntriesSuccess');
};

describe('watchThread on trimmed journals (real server)', () => {
  it('surfaces JournalTrimmed for a replay from below firstSeq and goes on from firstSeq', async () => {
    const threadId = freshId('trimmed');
    await append(threadId, 20);
    await storage.trimThread({ threadId, beforeSeq: 12 });
    const w = watcher(threadId, 0);
    await w.events.waitFor((items) => items.some((e) => e.__typename === 'CaughtUp'), 'CaughtUp');
    expect(w.events.items[0]).toEqual({ __typename: 'JournalTrimmed', threadId, firstSeq: 12 });
    expect(w.seqs()).toEqual(range(12, 20));
    expect(w.watch.trimmedBefore).toBe(12);
    await append(threadId, 1);
    await w.events.waitFor(() => w.seqs().includes(20), 'seq 20');
    expect(w.seqs()).toEqual(range(12, 21));
    expect(w.markers()).toHaveLength(1);
    expect(w.statuses.items).not.toContain('reconnecting');
  });

  it('after a server restart, resumes from lastSeen + 1; entries trimmed meanwhile come as one JournalTrimmed, the rest in order', async () => {
    const threadId = freshId('restart-trimmed');
    await append(threadId, 5);
    const w = watcher(threadId, 0);
    await w.events.waitFor((items) => items.some((e) => e.__typename === 'CaughtUp'), 'CaughtUp');
    const port = server.port;
    await server.app.stop();
    await w.statuses.waitFor((s) => s.includes('reconnecting'), 'reconnecting');
    // While the watch is away: 10 more entries, and a trim of 0..11 (it had seen 0..4).
    await storage.appendEntries({ threadId, entries: range(0, 10).map(() => ({})) });
    await storage.trimThread({ threadId, beforeSeq: 12 });
    server = await start(port);
    await w.events.waitFor(() => w.seqs().includes(14), 'seq 14');
    expect(w.seqs()).toEqual([...range(0, 5), ...range(12, 15)]);
    expect(w.markers()).toEqual([{ __typename: 'JournalTrimmed', threadId, firstSeq: 12 }]);
    const at = w.events.items.findIndex((e) => e.__typename === 'JournalTrimmed');
    expect(w.events.items[at + 1]).toMatchObject({ __typename: 'Entry', seq: 12 });
    expect(w.watch.lastSeen).toBe(14);
    await w.statuses.waitFor((s) => s.at(-1) === 'live', 'live again');
  });
});
