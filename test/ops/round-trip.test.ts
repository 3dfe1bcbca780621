import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStore } from '../../src/ops/export-store.js';
import { importStore } from '../../src/ops/import-store.js';
import { verifyStore } from '../../src/ops/verify-store.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/types.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { lineCollector, seedStore } from './seed.js';

let dir: string;
let redis: TestRedis;
let database: TestDatabase;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cryo-roundtrip-'));
  [redis, database] = await Promise.all([startRedis({ ownServer: true }), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([redis?.close(), database?.drop(), rm(dir, { recursive: true, force: true })]);
});

const NAMESPACES = ['default', 'tenant-b'];

/** Exports a store (every namespace it lists, or the two seeded ones for Redis) into lines. */
async function exportLines(storage: Storage): Promise<string[]> {
  const out = lineCollector();
  await exportStore(storage, out.write, { namespaces: storage.kind === 'redis' ? NAMESPACES : null });
  return out.lines;
}

describe('export → import round trip', () => {
  it('memory → file → SQLite → Redis → Postgres → file gives byte-identical exports (modulo the header)', async () => {
    const memory = createMemoryStorage();
    await seedStore(memory);
    const original = await exportLines(memory);
    await memory.close();
    expect(JSON.parse(original[0]!)).toMatchObject({ format: 'cryo-export', version: 1, source: 'memory' });
    expect(JSON.parse(original.at(-1)!)).toEqual({ type: 'end', threads: 3, entries: 2503, checkpoints: 4 });

    const targets = [`file:${join(dir, 'a')}`, `sqlite:${join(dir, 'c.db')}`, redis.url, `${database.url}?schema=roundtrip`, `file:${join(dir, 'b')}`];
    let previous = original;
    for (const [i, url] of targets.entries()) {
      const file = join(dir, `step-${i}.ndjson`);
      await writeFile(file, `${previous.join('\n')}\n`);
      const storage = await openStorage(url);
      try {
        const summary = await importStore(storage, file, { chunkSize: 700 });
        expect(summary).toMatchObject({ threads: 3, entriesWritten: 2503, checkpointsWritten: 4, conflicts: [], dangling: [] });
        const exported = await exportLines(storage);
        expect(JSON.parse(exported[0]!).source).toBe(storage.kind);
        expect(exported.slice(1)).toEqual(original.slice(1));
        const report = await verifyStore(storage, { namespaces: storage.kind === 'redis' ? NAMESPACES : null });
        expect(report.findings.filter((f) => f.level === 'problem')).toEqual([]);
        // Importing the same file again writes nothing.
        const again = await importStore(storage, file);
        expect(again).toMatchObject({ entriesWritten: 0, entriesPresent: 2503, checkpointsWritten: 0, checkpointsPresent: 4, conflicts: [] });
        previous = exported;
      } finally {
        await storage.close();
      }
    }
  });
});
