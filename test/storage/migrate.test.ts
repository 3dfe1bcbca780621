import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { migrateStorage } from '../../src/storage/migrate.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import type { Storage } from '../../src/storage/types.js';
import { tempDir } from './file-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function snapshot(storage: Storage, namespaces: string[]): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const namespace of namespaces) {
    const threads = (await storage.listThreads({ namespace, first: 500 })).items;
    out[namespace] = {
      threads: await Promise.all(
        threads.map(async (t) => ({
          id: t.id,
          rev: t.rev,
          metadata: t.metadata,
          entries: await storage.readEntries({ namespace, threadId: t.id, fromSeq: 0, limit: 10_000 }),
        })),
      ),
      checkpoints: (await storage.listCheckpoints({ namespace, first: 500 })).items.map((c) => ({
        agentType: c.agentType,
        agentId: c.agentId,
        version: c.version,
        state: c.state,
        thread: c.thread && { id: c.thread.id, rev: c.thread.rev }, // a life is the store's own: the target assigns new ones
      })),
    };
  }
  return out;
}

describe('migrating a file store to sqlite', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('copies threads (entries with ids, times, kinds, payloads, refs; metadata) and checkpoints; a re-run writes nothing', async () => {
    const dir = await tempDir('cryo-migrate-');
    cleanups.push(dir.remove);
    const source = await createFileStorage({ directory: join(dir.path, 'data') });
    for (const namespace of ['default', 'tenant 🧊']) {
      await source.appendEntries({ namespace, threadId: 'long', metadata: { goal: namespace }, entries: Array.from({ length: 1000 }, (_, i) => ({ id: `e${i}`, kind: 'k.x', payload: { i }, refs: { r: [i] }, at: '2021-02-03T04:05:06.789Z' })) });
      await source.appendEntries({ namespace, threadId: 'long', entries: [{ id: 'last', payload: { end: true } }] });
      await source.appendEntries({ namespace, threadId: 'short', entries: [{}] });
      await source.appendEntries({ namespace, threadId: 'gone', entries: [{}] });
      await source.deleteThread({ namespace, threadId: 'gone' });
      await source.putCheckpoint({ namespace, agentType: 'bot', agentId: 'a', state: { step: 3, nested: { x: [1] } }, version: 2, thread: { id: 'long', rev: 1001 } });
      await source.putCheckpoint({ namespace, agentType: 'bot', agentId: 'b', state: {} });
    }
    const namespaces = ['default', 'tenant 🧊'];
    const expected = await snapshot(source, namespaces);
    await source.close();

    const from = await createFileStorage({ directory: join(dir.path, 'data') });
    const to = await createSqliteStorage({ path: join(dir.path, 'data', 'cryo.db') });
    try {
      const first = await migrateStorage(from, to);
      expect(first).toMatchObject({ namespaces: 2, threads: 4, entriesCopied: 2 * 1002, entriesPresent: 0, checkpointsCopied: 4, checkpointConflicts: [] });
      expect(await snapshot(to, namespaces)).toEqual(expected);
      const again = await migrateStorage(from, to);
      expect(again).toMatchObject({ entriesCopied: 0, entriesPresent: 2 * 1002, checkpointsCopied: 0, checkpointsPresent: 4, checkpointConflicts: [] });
      expect(await snapshot(to, namespaces)).toEqual(expected);
      expect((await to.getThread({ threadId: 'long' }))!.rev).toBe(1001);
    } finally {
      await to.close();
      await from.close();
    }
  });

  it('runs as the one-line command from the README', async () => {
    const dir = await tempDir('cryo-migrate-');
    cleanups.push(dir.remove);
    const source = await createFileStorage({ directory: join(dir.path, 'data') });
    await source.appendEntries({ threadId: 't', entries: [{ id: 'x', payload: { ok: 1 } }] });
    await source.close();
    const data = join(dir.path, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate-storage.ts', '--from', `file:${data}`, '--to', `sqlite:${data}/cryo.db`], {
      cwd: ROOT,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ threads: 1, entriesCopied: 1 });
    const to = await createSqliteStorage({ path: join(dir.path, 'data', 'cryo.db') });
    try {
      expect((await to.readEntries({ threadId: 't', fromSeq: 0, limit: 5 }))[0]).toMatchObject({ id: 'x', payload: { ok: 1 } });
    } finally {
      await to.close();
    }
  });
});
