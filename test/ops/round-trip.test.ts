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
import { lineCollector, seedRetention, seedStore } from './seed.js';

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
    expect(JSON.parse(original[0]!)).toMatchObject({ format: 'cryo-export', version: 3, source: 'memory' });
    expect(JSON.parse(original.at(-1)!)).toEqual({ type: 'end', threads: 3, entries: 2503, checkpoints: 4, apiKeys: 3 });
    const keyLines = original.filter((line) => line.includes('"type":"apiKey"')).map((line) => JSON.parse(line));
    expect(keyLines.map((k) => [k.namespace, k.id, k.revokedAt !== null])).toEqual([
      ['default', '0123456789abcdef', false],
      ['default', '1123456789abcdef', true],
      ['tenant-b', '2123456789abcdef', false],
    ]);
    expect(original.join('\n')).not.toContain('secret');

    const targets = [`file:${join(dir, 'a')}`, `sqlite:${join(dir, 'c.db')}`, redis.url, `${database.url}?schema=roundtrip`, `file:${join(dir, 'b')}`];
    let previous = original;
    for (const [i, url] of targets.entries()) {
      const file = join(dir, `step-${i}.ndjson`);
      await writeFile(file, `${previous.join('\n')}\n`);
      const storage = await openStorage(url);
      try {
        const summary = await importStore(storage, file, { chunkSize: 700 });
        expect(summary).toMatchObject({ threads: 3, entriesWritten: 2503, checkpointsWritten: 4, apiKeysWritten: 3, conflicts: [], dangling: [] });
        const exported = await exportLines(storage);
        expect(JSON.parse(exported[0]!).source).toBe(storage.kind);
        expect(exported.slice(1)).toEqual(original.slice(1));
        const report = await verifyStore(storage, { namespaces: storage.kind === 'redis' ? NAMESPACES : null });
        expect(report.findings.filter((f) => f.level === 'problem')).toEqual([]);
        // Importing the same file again writes nothing.
        const again = await importStore(storage, file);
        expect(again).toMatchObject({
          entriesWritten: 0,
          entriesPresent: 2503,
          checkpointsWritten: 0,
          checkpointsPresent: 4,
          apiKeysWritten: 0,
          apiKeysPresent: 3,
          conflicts: [],
        });
        previous = exported;
      } finally {
        await storage.close();
      }
    }
  });
});

describe('export → import of trimmed threads and policies', () => {
  /** The memory store seeded with retention cases, exported. */
  async function retentionExport(): Promise<string[]> {
    const memory = createMemoryStorage();
    await seedRetention(memory);
    const lines = await exportLines(memory);
    await memory.close();
    return lines;
  }

  it('exports firstSeq and retention, and only the stored entries', async () => {
    const lines = (await retentionExport()).map((l) => JSON.parse(l));
    const threads = Object.fromEntries(lines.filter((r) => r.type === 'thread').map((r) => [r.id, r]));
    expect(threads['trimmed']).toMatchObject({ rev: 10, firstSeq: 4, retention: { maxEntries: 100, maxAgeSeconds: null } });
    expect(threads['all-gone']).toMatchObject({ rev: 3, firstSeq: 3, retention: null });
    expect(threads['held']).toMatchObject({ rev: 8, firstSeq: 3, retention: { maxEntries: 2, maxAgeSeconds: null } });
    expect(threads['aged']).toMatchObject({ rev: 5, firstSeq: 0, retention: { maxEntries: null, maxAgeSeconds: 315_360_000 } });
    expect(lines.filter((r) => r.type === 'entry').map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9]);
    expect(lines.at(-1)).toEqual({ type: 'end', threads: 4, entries: 16, checkpoints: 2, apiKeys: 0 });
  });

  const targets: [string, () => Promise<Storage>][] = [
    ['memory', async () => createMemoryStorage()],
    ['file', () => openStorage(`file:${join(dir, 'retention-file')}`)],
    ['sqlite', () => openStorage(`sqlite:${join(dir, 'retention.db')}`)],
    ['redis', () => openStorage(`${redis.url}/5`)],
    ['postgres', () => openStorage(`${database.url}?schema=retention`)],
  ];
  for (const [name, open] of targets) {
    it(`into ${name}: identical export, an interrupted import completes, a re-run writes nothing`, async () => {
      const original = await retentionExport();
      const file = join(dir, `retention-${name}.ndjson`);
      await writeFile(file, `${original.join('\n')}\n`);
      const storage = await open();
      try {
        // Interrupted: the storage fails after a few appends (a crash half-way through the file).
        let appends = 0;
        const failing = new Proxy(storage, {
          get(target, prop) {
            if (prop === 'appendEntries') {
              return async (o: Parameters<Storage['appendEntries']>[0]) => {
                if (++appends > 3) throw new Error('killed');
                return target.appendEntries(o);
              };
            }
            const value: unknown = Reflect.get(target, prop);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        await expect(importStore(failing, file, { chunkSize: 2 })).rejects.toThrow('killed');
        const summary = await importStore(storage, file, { chunkSize: 2 });
        expect(summary).toMatchObject({ threads: 4, entriesTrimmed: 0, checkpointsWritten: 2, conflicts: [], dangling: [] });
        expect(summary.entriesWritten + summary.entriesPresent).toBe(16);
        expect(summary.entriesPresent).toBeGreaterThan(0);
        const exported = await exportLines(storage);
        expect(exported.slice(1)).toEqual(original.slice(1));
        const report = await verifyStore(storage, { namespaces: storage.kind === 'redis' ? NAMESPACES : null });
        expect(report.findings.filter((f) => f.level === 'problem')).toEqual([]);
        const again = await importStore(storage, file);
        expect(again).toMatchObject({ entriesWritten: 0, entriesPresent: 16, checkpointsPresent: 2, conflicts: [] });
        expect((await exportLines(storage)).slice(1)).toEqual(original.slice(1));
      } finally {
        await storage.close();
      }
    });
  }

  it('export reads the head again when a trim moves firstSeq between the head and the first page', async () => {
    const memory = createMemoryStorage();
    await memory.appendEntries({ threadId: 'busy', entries: Array.from({ length: 6 }, (_, i) => ({ id: `b${i}` })) });
    let trims = 0;
    const trimming = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'readEntries') {
          return async (o: Parameters<Storage['readEntries']>[0]) => {
            // A policy trims the thread right after each of the first two head reads.
            if (trims < 2) await target.trimThread({ threadId: 'busy', beforeSeq: ++trims * 2 });
            return target.readEntries(o);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const out = lineCollector();
    await exportStore(trimming, out.write, { namespaces: null });
    const records = out.lines.map((l) => JSON.parse(l));
    expect(records[1]).toMatchObject({ type: 'thread', id: 'busy', rev: 6, firstSeq: 4 });
    expect(records.filter((r) => r.type === 'entry').map((r) => r.id)).toEqual(['b4', 'b5']);
    await memory.close();
  });

  it('a policy the import applies at the end does not make a re-run conflict: what it trimmed is counted, not rewritten', async () => {
    const entry = (seq: number) => ({ type: 'entry', seq, id: `x${seq}`, at: '2026-01-01T00:00:00.000Z', kind: 'note', payload: {}, refs: {} });
    const lines = [
      JSON.stringify({ format: 'cryo-export', version: 2, exportedAt: '2026-01-01T00:00:00.000Z', source: 'memory' }),
      // Held back in the source by a checkpoint deleted since: 5 entries under maxEntries 2.
      JSON.stringify({ type: 'thread', namespace: 'default', id: 'x', rev: 5, firstSeq: 0, retention: { maxEntries: 2, maxAgeSeconds: null }, metadata: {} }),
      ...[0, 1, 2, 3, 4].map((seq) => JSON.stringify(entry(seq))),
      JSON.stringify({ type: 'end', threads: 1, entries: 5, checkpoints: 0 }),
    ];
    const file = join(dir, 'policy-applied.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const storage = createMemoryStorage();
    expect(await importStore(storage, file)).toMatchObject({ entriesWritten: 5, entriesTrimmed: 0, conflicts: [] });
    expect(await storage.getThread({ threadId: 'x' })).toMatchObject({ rev: 5, firstSeq: 3, retention: { maxEntries: 2, maxAgeSeconds: null } });
    expect(await importStore(storage, file)).toMatchObject({ entriesWritten: 0, entriesPresent: 2, entriesTrimmed: 3, conflicts: [] });
    expect(await storage.getThread({ threadId: 'x' })).toMatchObject({ rev: 5, firstSeq: 3 });
    await storage.close();
  });

  it('a version 1 file (before retention) still imports: every thread from seq 0, no policy', async () => {
    const v1 = [
      JSON.stringify({ format: 'cryo-export', version: 1, exportedAt: '2026-01-01T00:00:00.000Z', source: 'memory' }),
      JSON.stringify({ type: 'thread', namespace: 'default', id: 'old', rev: 2, metadata: {} }),
      JSON.stringify({ type: 'entry', seq: 0, id: 'o0', at: '2026-01-01T00:00:00.000Z', kind: 'note', payload: {}, refs: {} }),
      JSON.stringify({ type: 'entry', seq: 1, id: 'o1', at: '2026-01-01T00:00:00.000Z', kind: 'note', payload: {}, refs: {} }),
      JSON.stringify({ type: 'end', threads: 1, entries: 2, checkpoints: 0 }),
    ];
    const file = join(dir, 'v1.ndjson');
    await writeFile(file, `${v1.join('\n')}\n`);
    const storage = createMemoryStorage({ limits: { defaultRetention: { maxEntries: 1, maxAgeSeconds: null } } });
    expect(await importStore(storage, file)).toMatchObject({ entriesWritten: 2, conflicts: [] });
    expect(await storage.getThread({ threadId: 'old' })).toMatchObject({ rev: 2, firstSeq: 0, retention: null });
    await storage.close();
  });
});
