import { randomBytes } from 'node:crypto';
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageCorrupted } from '../../src/domain/errors.js';
import type { FileStorage } from '../../src/storage/file/index.js';
import { checkpointPath, DURABILITY_MODES, freshStore, journalPath, walk } from './file-helpers.js';
import { decodeRecord } from '../../src/storage/file/record-codec.js';
import { rejection, rid } from 'cryo/storage/conformance';

describe.each(DURABILITY_MODES)('durability %s', (durability) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const fresh = () => freshStore(cleanups, { durability });

  /** Start offsets and ends of every record in a file. */
  async function records(path: string): Promise<{ start: number; end: number }[]> {
    const bytes = await readFile(path);
    const out: { start: number; end: number }[] = [];
    for (let pos = 0; pos < bytes.length; ) {
      const record = decodeRecord(bytes, pos);
      if (typeof record === 'string') throw new Error(`bad record at ${pos}: ${record}`);
      out.push({ start: record.start, end: record.end });
      pos = record.end;
    }
    return out;
  }

  async function flipByte(path: string, offset: number): Promise<void> {
    const bytes = await readFile(path);
    bytes[offset] = bytes[offset]! ^ 0x5a;
    await writeFile(path, bytes);
  }

  async function journalWith(open: () => Promise<FileStorage>, dir: string, appends: number[]) {
    const storage = await open();
    const threadId = rid('t');
    const ids: string[] = [];
    for (const count of appends) {
      const entries = Array.from({ length: count }, () => ({ id: rid('e'), payload: { r: randomBytes(4).toString('hex') } }));
      await storage.appendEntries({ threadId, entries });
      ids.push(...entries.map((e) => e.id));
    }
    await storage.close();
    return { threadId, ids, path: journalPath(dir, 'default', threadId) };
  }

  describe('file adapter: torn tails are cut on open', () => {
    it('cuts garbage after the last append, shrinking the file back, and appends continue', async () => {
      const { dir, open } = await fresh();
      const { threadId, ids, path } = await journalWith(open, dir, [1, 2, 1]);
      const good = (await stat(path)).size;
      await appendFile(path, randomBytes(777));
      const storage = await open();
      expect(storage.recovery.truncated).toEqual([{ file: path, from: good + 777, to: good }]);
      expect(storage.recovery.corrupted).toEqual([]);
      expect((await stat(path)).size).toBe(good);
      expect((await storage.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(ids);
      const next = await storage.appendEntries({ threadId, entries: [{}], expectedRev: 4 });
      expect(next.thread.rev).toBe(5);
    });

    it('cuts a zero-filled tail (size extended, data never written)', async () => {
      const { dir, open } = await fresh();
      const { threadId, path } = await journalWith(open, dir, [3]);
      const good = (await stat(path)).size;
      await appendFile(path, Buffer.alloc(4096));
      const storage = await open();
      expect((await stat(path)).size).toBe(good);
      expect((await storage.getThread({ threadId }))!.rev).toBe(3);
    });

    it('cuts a torn multi-entry append entirely, whether it ends mid-record or on a record boundary', async () => {
      const { dir, open } = await fresh();
      const { threadId, ids, path } = await journalWith(open, dir, [1, 1, 3]);
      const cuts = [(r: { end: number }[]) => r[0]!.end + 7, (r: { end: number }[]) => r[1]!.end, (r: { end: number }[]) => r[2]!.end - 1];
      for (const cutAt of cuts) {
        const lastAppend = (await records(path)).slice(-3);
        const before = lastAppend[0]!.start;
        const cut = cutAt(lastAppend);
        await truncate(path, cut);
        const storage = await open();
        expect(storage.recovery.truncated).toEqual([{ file: path, from: cut, to: before }]);
        const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 10 });
        expect(entries.map((e) => e.id)).toEqual(ids.slice(0, 2));
        expect((await storage.getThread({ threadId }))!.rev).toBe(2);
        await storage.close();
        expect((await stat(path)).size).toBe(before);
        // put the torn append's bytes back for the next cut
        const again = await open();
        await again.appendEntries({ threadId, entries: ids.slice(2).map((id) => ({ id, payload: { r: 'x' } })) });
        await again.close();
      }
    });

    it('removes a journal whose first append was torn (only the header survived)', async () => {
      const { dir, open } = await fresh();
      const { threadId, path } = await journalWith(open, dir, [2]);
      const [header] = await records(path);
      await truncate(path, header!.end + 3);
      const storage = await open();
      expect(storage.recovery.removed).toEqual([path]);
      expect(await storage.getThread({ threadId })).toBeNull();
      expect(await walk(dir)).not.toContain(`threads/${path.split('/').pop()}`);
      const first = await storage.appendEntries({ threadId, entries: [{}], expectedRev: 0 });
      expect(first.entries[0]!.seq).toBe(0);
    });
  });

  describe('file adapter: any torn tail recovers to a prefix of whole appends', () => {
    it('cut at 60 pseudo-random points (some followed by garbage), the journal reopens as the appends completed before the cut', async () => {
      const { dir, open } = await fresh();
      const sizes = [1, 3, 2, 4, 1, 1, 2, 3];
      const { threadId, ids, path } = await journalWith(open, dir, sizes);
      const original = await readFile(path);
      const ends: number[] = [];
      let offset = 0;
      for (const [i, record] of (await records(path)).entries()) {
        if (i === 0) continue;
        offset++;
        if (sizes.slice(0, ends.length + 1).reduce((a, b) => a + b, 0) === offset) ends.push(record.end);
      }
      expect(ends).toHaveLength(sizes.length);
      let seed = 12345;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let trial = 0; trial < 60; trial++) {
        const cut = random(original.length + 1);
        const garbage = trial % 3 === 0 ? randomBytes(1 + random(300)) : Buffer.alloc(0);
        await writeFile(path, Buffer.concat([original.subarray(0, cut), garbage]));
        const storage = await open();
        const complete = ends.filter((end) => end <= cut).length;
        const expected = ids.slice(0, sizes.slice(0, complete).reduce((a, b) => a + b, 0));
        expect(storage.recovery.corrupted).toEqual([]);
        const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 100 });
        expect(entries.map((e) => e.id)).toEqual(expected);
        expect((await storage.getThread({ threadId }))?.rev ?? 0).toBe(expected.length);
        await storage.close();
        if (complete === 0) expect(await walk(join(dir, 'threads'))).toEqual([]);
        else expect((await stat(path)).size).toBe(ends[complete - 1]);
      }
    });
  });

  describe('file adapter: corruption is reported, never skipped', () => {
    it('a flipped byte mid-file makes that thread throw StorageCorrupted with file and offset; others keep working', async () => {
      const { dir, open } = await fresh();
      const { threadId, path } = await journalWith(open, dir, [1, 1, 1, 1]);
      const other = await journalWith(open, dir, [2]);
      const damaged = (await records(path))[2]!;
      await flipByte(path, damaged.start + 30);
      const sizeBefore = (await stat(path)).size;

      await rejection(open({ strict: true }), StorageCorrupted);
      const storage = await open();
      expect(storage.recovery.corrupted).toEqual([expect.objectContaining({ file: path, offset: damaged.start })]);
      expect(storage.recovery.truncated).toEqual([]);
      expect((await stat(path)).size).toBe(sizeBefore);
      for (const call of [
        storage.getThread({ threadId }),
        storage.readEntries({ threadId, fromSeq: 0, limit: 1 }),
        storage.readTail({ threadId, limit: 1 }),
        storage.appendEntries({ threadId, entries: [{}] }),
      ]) {
        const error = await rejection(call, StorageCorrupted);
        expect(error.location).toBe(`${path} at offset ${damaged.start}`);
      }
      expect((await storage.getThread({ threadId: other.threadId }))!.rev).toBe(2);
      expect((await storage.listThreads({})).items.map((t) => t.id)).toEqual([other.threadId]);

      expect(await storage.deleteThread({ threadId })).toBe(true);
      expect(await storage.getThread({ threadId })).toBeNull();
      expect((await storage.appendEntries({ threadId, entries: [{}] })).entries[0]!.seq).toBe(0);
    });

    it.each([
      ['magic', 1],
      ['length', 10],
      ['checksum', 17],
      ['payload', 40],
    ])('a flipped %s byte in an early record is corruption, not a torn tail', async (_field, at) => {
      const { dir, open } = await fresh();
      const { threadId, path } = await journalWith(open, dir, [1, 2, 1]);
      const damaged = (await records(path))[1]!;
      await flipByte(path, damaged.start + at);
      const storage = await open();
      expect(storage.recovery.truncated).toEqual([]);
      expect(storage.recovery.corrupted).toEqual([expect.objectContaining({ file: path, offset: damaged.start })]);
      await rejection(storage.readTail({ threadId, limit: 1 }), StorageCorrupted);
    });

    it('a byte flipped while open is caught when the entry is read', async () => {
      const { dir, open } = await fresh();
      const storage = await open();
      const threadId = rid('t');
      for (let i = 0; i < 4; i++) await storage.appendEntries({ threadId, entries: [{ payload: { i } }] });
      const path = journalPath(dir, 'default', threadId);
      const damaged = (await records(path))[2]!;
      await flipByte(path, damaged.end - 3);
      const error = await rejection(storage.readEntries({ threadId, fromSeq: 0, limit: 4 }), StorageCorrupted);
      expect(error.location).toBe(`${path} at offset ${damaged.start}`);
      expect((await storage.readTail({ threadId, limit: 2 })).entries.map((e) => e.seq)).toEqual([2, 3]);
    });

    it('damaged checkpoints throw StorageCorrupted; leftover temp files are removed on open', async () => {
      const { dir, open } = await fresh();
      const a = await open();
      await a.putCheckpoint({ agentType: 'a', agentId: 'body', state: { x: 1 } });
      await a.putCheckpoint({ agentType: 'a', agentId: 'key', state: { x: 1 } });
      await a.putCheckpoint({ agentType: 'a', agentId: 'fine', state: { x: 1 } });
      await a.close();
      const body = checkpointPath(dir, 'default', 'a', 'body');
      await flipByte(body, (await records(body))[1]!.start + 25);
      const key = checkpointPath(dir, 'default', 'a', 'key');
      await flipByte(key, 25);
      const temp = `${checkpointPath(dir, 'default', 'a', 'fine')}.tmp-0123ab`;
      await writeFile(temp, 'half a checkpoint');

      const b = await open();
      expect(b.recovery.removed).toEqual([temp]);
      expect(b.recovery.corrupted).toEqual([expect.objectContaining({ file: key, offset: 0 })]);
      await rejection(b.getCheckpoint({ agentType: 'a', agentId: 'body' }), StorageCorrupted);
      await rejection(b.getCheckpoint({ agentType: 'a', agentId: 'key' }), StorageCorrupted);
      expect(await b.getCheckpoint({ agentType: 'a', agentId: 'fine' })).toMatchObject({ state: { x: 1 } });
      expect(await b.deleteCheckpoint({ agentType: 'a', agentId: 'key' })).toBe(true);
      expect(await b.getCheckpoint({ agentType: 'a', agentId: 'key' })).toBeNull();
      expect(await walk(join(dir, 'checkpoints'))).toHaveLength(2);
    });
  });
});
