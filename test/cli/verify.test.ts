import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/ops/verify-store.js';
import { createFileStorage } from '../../src/storage/file/index.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { runCryo } from './helpers.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('verify', () => {
  it('lists dangling pointers (missing thread, another life) and exits 1; a journal ahead is a notice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryo-verify-'));
    dirs.push(dir);
    const storage = await createFileStorage({ directory: dir });
    await storage.appendEntries({ threadId: 'gone', entries: [{ id: 'g1' }] });
    await storage.putCheckpoint({ agentType: 'a', agentId: 'missing', state: {}, thread: { id: 'gone', rev: 1 } });
    await storage.deleteThread({ threadId: 'gone' });
    await storage.appendEntries({ threadId: 'reborn', entries: [{ id: 'r1' }, { id: 'r2' }] });
    await storage.putCheckpoint({ agentType: 'a', agentId: 'old-life', state: {}, thread: { id: 'reborn', rev: 2 } });
    await storage.deleteThread({ threadId: 'reborn' });
    await storage.appendEntries({ threadId: 'reborn', entries: [{ id: 'x1' }, { id: 'x2' }] });
    await storage.appendEntries({ threadId: 'ahead', entries: [{ id: 'h1' }] });
    await storage.putCheckpoint({ agentType: 'a', agentId: 'behind-ok', state: {}, thread: { id: 'ahead', rev: 1 } });
    await storage.appendEntries({ threadId: 'ahead', entries: [{ id: 'h2' }] });
    await storage.close();

    const run = await runCryo(['verify', '--storage', `file:${dir}`]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').sort();
    expect(lines).toEqual([
      'notice\tdefault/checkpoint/a/behind-ok\tthread "ahead" is ahead of the pointer by 1 entries (appended since the checkpoint)',
      'problem\tdefault/checkpoint/a/missing\tpoints at thread "gone", which is missing',
      'problem\tdefault/checkpoint/a/old-life\tpoints at another life of thread "reborn" (deleted and re-created since)',
    ]);
    expect(run.stderr).toContain('2 problems');
  });

  it('finds a head that disagrees with the stored entries', async () => {
    const memory = createMemoryStorage();
    await memory.appendEntries({ threadId: 't', entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    // A storage whose head claims more entries than it stores (what a damaged Redis/Postgres would show).
    const lying = new Proxy(memory, {
      get(target, property) {
        if (property === 'getThread') {
          return async (o: Parameters<typeof memory.getThread>[0]) => {
            const head = await target.getThread(o);
            return head && { ...head, rev: head.rev + 1 };
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const report = await verifyStore(lying, { namespaces: null });
    expect(report.findings).toEqual([{ level: 'problem', subject: 'default/thread/t', message: 'the head says rev 4 but 3 entries are stored' }]);
  });

  it('reads a trimmed thread from its firstSeq, and reports a pointer below it', async () => {
    const memory = createMemoryStorage();
    await memory.appendEntries({ threadId: 't', entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] });
    await memory.putCheckpoint({ agentType: 'a', agentId: 'x', state: {}, thread: { id: 't', rev: 2 } });
    await memory.trimThread({ threadId: 't', beforeSeq: 2 });
    expect((await verifyStore(memory, { namespaces: null })).findings).toEqual([
      { level: 'notice', subject: 'default/checkpoint/a/x', message: 'thread "t" is ahead of the pointer by 2 entries (appended since the checkpoint)' },
    ]);
    // A head claiming a later firstSeq than the pointer (what a damaged store would show); the
    // entries from that firstSeq on are all there.
    const lying = new Proxy(memory, {
      get(target, property) {
        if (property === 'getThread') {
          return async (o: Parameters<typeof memory.getThread>[0]) => {
            const head = await target.getThread(o);
            return head && { ...head, firstSeq: 3 };
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect((await verifyStore(lying, { namespaces: null })).findings).toEqual([
      {
        level: 'problem',
        subject: 'default/checkpoint/a/x',
        message: 'points at rev 2 of thread "t", which is trimmed from seq 3 on: the entries after the pointer are gone',
      },
    ]);
  });
});
