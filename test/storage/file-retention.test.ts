import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageUnavailable, TrimBeyondCheckpoint } from '../../src/domain/errors.js';
import { defaultFileIo } from '../../src/storage/file/file-io.js';
import { rejection, rid } from 'cryo/storage/conformance';
import { DURABILITY_MODES, freshStore, journalPath, walk } from './file-helpers.js';

const seqs = (entries: { seq: number }[]): number[] => entries.map((e) => e.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const pad = 'x'.repeat(1000);

describe.each(DURABILITY_MODES)('file adapter retention (%s)', (durability) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const fresh = () => freshStore(cleanups, { durability });

  it('keeps firstSeq, the policy and startSeq across reopen (trim, maxEntries, setThreadRetention, a thread trimmed empty)', async () => {
    const { open } = await fresh();
    const a = await open({ compactMinBytes: 1 << 30 });
    const [trimmed, capped, set, imported, empty] = [rid('t'), rid('t'), rid('t'), rid('t'), rid('t')];
    for (let i = 0; i < 4; i++) await a.appendEntries({ threadId: trimmed, entries: [{ id: `a${i}` }, { id: `b${i}` }] });
    await a.trimThread({ threadId: trimmed, beforeSeq: 3 });
    for (let i = 0; i < 7; i++) await a.appendEntries({ threadId: capped, entries: [{ id: `c${i}` }], retention: { maxEntries: 2 } });
    for (let i = 0; i < 5; i++) await a.appendEntries({ threadId: set, entries: [{}] });
    await a.setThreadRetention({ threadId: set, retention: { maxEntries: 3, maxAgeSeconds: 60 } });
    await a.appendEntries({ threadId: imported, entries: [{}, {}], startSeq: 40 });
    await a.appendEntries({ threadId: empty, entries: [{}, {}, {}] });
    await a.trimThread({ threadId: empty, beforeSeq: 3 });
    const before = await Promise.all([trimmed, capped, set, imported, empty].map((threadId) => a.getThread({ threadId })));
    await a.close();

    const b = await open();
    expect(b.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
    const after = await Promise.all([trimmed, capped, set, imported, empty].map((threadId) => b.getThread({ threadId })));
    expect(after).toEqual(before);
    expect(after.map((h) => [h!.rev, h!.firstSeq])).toEqual([[8, 3], [7, 5], [5, 2], [42, 40], [3, 3]]);
    expect(after[1]!.retention).toEqual({ maxEntries: 2, maxAgeSeconds: null });
    expect(after[2]!.retention).toEqual({ maxEntries: 3, maxAgeSeconds: 60 });
    expect(seqs(await b.readEntries({ threadId: trimmed, fromSeq: 0, limit: 100 }))).toEqual(range(3, 8));
    expect((await b.readEntries({ threadId: capped, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(['c5', 'c6']);
    expect(await b.readEntries({ threadId: empty, fromSeq: 0, limit: 100 })).toEqual([]);
    // The policy kept across reopen still applies inside the append.
    expect((await b.appendEntries({ threadId: capped, entries: [{ id: 'c7' }] })).thread).toMatchObject({ rev: 8, firstSeq: 6 });
  });

  it('compaction reclaims the disk space of trimmed entries; reads, appends and reopen continue', async () => {
    const { dir, open } = await fresh();
    const a = await open();
    const threadId = rid('t');
    for (let i = 0; i < 100; i++) await a.appendEntries({ threadId, entries: [{ id: `e${i}`, payload: { pad } }] });
    const path = journalPath(dir, 'default', threadId);
    const full = (await stat(path)).size;
    await a.trimThread({ threadId, beforeSeq: 90 });
    await a.compactions();
    expect(a.stats().compactions).toBe(1);
    const compacted = (await stat(path)).size;
    expect(compacted).toBeLessThan(full * 0.12);
    expect(a.stats().reclaimedBytes).toBeGreaterThan(full * 0.88);
    expect((await a.readEntries({ threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(range(90, 100).map((i) => `e${i}`));
    await a.appendEntries({ threadId, entries: [{ id: 'e100' }, { id: 'e101' }], expectedRev: 100 });
    expect(seqs((await a.readTail({ threadId, limit: 3 })).entries)).toEqual([99, 100, 101]);
    await a.close();
    expect((await walk(dir)).filter((f) => f.includes('.compact'))).toEqual([]);
    const b = await open();
    expect(await b.getThread({ threadId })).toMatchObject({ rev: 102, firstSeq: 90 });
    expect(seqs(await b.readEntries({ threadId, fromSeq: 0, limit: 100 }))).toEqual(range(90, 102));
    await b.trimThread({ threadId, beforeSeq: 102 });
    await b.compactions();
    await b.close();
    const c = await open();
    expect(await c.getThread({ threadId })).toMatchObject({ rev: 102, firstSeq: 102 });
    expect((await c.appendEntries({ threadId, entries: [{}], expectedRev: 102 })).entries[0]!.seq).toBe(102);
  });

  it('a compaction that did not run before close (or a crash) runs at the next open', async () => {
    const { dir, open } = await fresh();
    const a = await open({ compactMinBytes: Number.MAX_SAFE_INTEGER });
    const threadId = rid('t');
    await a.appendEntries({ threadId, entries: Array.from({ length: 100 }, (_, i) => ({ id: `e${i}`, payload: { pad } })) });
    await a.trimThread({ threadId, beforeSeq: 95 });
    await a.close();
    const path = journalPath(dir, 'default', threadId);
    const full = (await stat(path)).size;
    const b = await open();
    await b.compactions();
    expect(b.stats().compactions).toBe(1);
    expect((await stat(path)).size).toBeLessThan(full * 0.1);
    expect((await b.readEntries({ threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(range(95, 100).map((i) => `e${i}`));
  });

  it('maxEntries keeps a thread’s file bounded: compactions run as the trimmed bytes reach the retained ones', async () => {
    const { dir, open } = await fresh();
    const a = await open({ compactMinBytes: 16 * 1024 });
    const threadId = rid('t');
    for (let i = 0; i < 400; i++) {
      await a.appendEntries({ threadId, entries: [{ payload: { pad } }], retention: { maxEntries: 20 } });
    }
    await a.compactions();
    expect(a.stats().compactions).toBeGreaterThan(5);
    // Retained: 20 entries of ~1.1 KB; at most as many trimmed ones (or the minimum) may remain.
    expect((await stat(journalPath(dir, 'default', threadId))).size).toBeLessThan(2 * 20 * 1200 + 16 * 1024);
    expect(seqs(await a.readEntries({ threadId, fromSeq: 0, limit: 100 }))).toEqual(range(380, 400));
  });

  it('reads running while compactions swap the file return the right entries', async () => {
    const { open } = await fresh();
    // No idle handles: every read opens the file by its path, racing the compaction's rename.
    const a = await open({ compactMinBytes: 1, maxOpenFiles: 0 });
    const threadId = rid('t');
    await a.appendEntries({ threadId, entries: Array.from({ length: 50 }, (_, i) => ({ id: `e${i}`, payload: { pad } })) });
    const readers = Array.from({ length: 4 }, async () => {
      for (let n = 0; n < 40; n++) {
        const head = (await a.getThread({ threadId }))!;
        const entries = await a.readEntries({ threadId, fromSeq: 0, limit: 1000 });
        expect(entries.length).toBeGreaterThan(0);
        for (const e of entries) expect(e.id).toBe(`e${e.seq}`);
        expect(entries[0]!.seq).toBeGreaterThanOrEqual(head.firstSeq);
        expect(seqs(entries)).toEqual(range(entries[0]!.seq, entries[0]!.seq + entries.length));
      }
    });
    for (let rev = 50; rev < 80; rev++) {
      await a.appendEntries({ threadId, entries: [{ id: `e${rev}`, payload: { pad } }], expectedRev: rev });
      await a.trimThread({ threadId, beforeSeq: rev - 3 });
    }
    await Promise.all(readers);
    await a.compactions();
    expect(a.stats().compactions).toBeGreaterThan(3);
  });

  it('a read started while a compaction renames the file waits for the swap and reads the new layout', async () => {
    const { open } = await fresh();
    let renamed!: () => void;
    const didRename = new Promise<void>((resolve) => (renamed = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const a = await open({
      compactMinBytes: 1,
      // No idle handles: a read opens the journal by its path, so it would open the new file.
      maxOpenFiles: 0,
      io: {
        rename: async (from, to) => {
          await defaultFileIo.rename(from, to);
          renamed();
          await released;
        },
      },
    });
    const threadId = rid('t');
    await a.appendEntries({ threadId, entries: Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, payload: { pad } })) });
    await a.trimThread({ threadId, beforeSeq: 15 });
    await didRename;
    const read = a.readEntries({ threadId, fromSeq: 0, limit: 100 });
    release();
    expect((await read).map((e) => e.id)).toEqual(range(15, 20).map((i) => `e${i}`));
    await a.compactions();
    expect(a.stats().compactions).toBe(1);
  });

  it('a checkpoint put that fails keeps the old pointer and drops its new one from the reverse index', async () => {
    const { open } = await fresh();
    let failCheckpointWrites = false;
    const a = await open({
      io: {
        // Byte 4 of a record is its type: 3 starts a checkpoint file.
        write: (handle, buffer, offset, length, position) =>
          failCheckpointWrites && buffer[4] === 3
            ? Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' }))
            : defaultFileIo.write(handle, buffer, offset, length, position),
      },
    });
    const threadId = rid('t');
    const key = { agentType: 'a', agentId: 'b' };
    await a.appendEntries({ threadId, entries: Array.from({ length: 10 }, () => ({})) });
    await a.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 3 } });
    failCheckpointWrites = true;
    await rejection(a.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 1 } }), StorageUnavailable);
    await rejection(a.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 8 } }), StorageUnavailable);
    failCheckpointWrites = false;
    expect((await a.getCheckpoint(key))?.thread).toMatchObject({ rev: 3 });
    await rejection(a.trimThread({ threadId, beforeSeq: 4 }), TrimBeyondCheckpoint, { pointerRev: 3 });
    expect((await a.trimThread({ threadId, beforeSeq: 3 })).dropped).toBe(3);
  });

  it('a compaction that fails (rename refused) leaves the journal whole; a later one succeeds', async () => {
    const { dir, open } = await fresh();
    let refuse = true;
    const a = await open({
      compactMinBytes: 1,
      io: {
        rename: (from, to) => (refuse ? Promise.reject(Object.assign(new Error('refused'), { code: 'EIO' })) : defaultFileIo.rename(from, to)),
      },
    });
    const threadId = rid('t');
    await a.appendEntries({ threadId, entries: Array.from({ length: 30 }, (_, i) => ({ id: `e${i}`, payload: { pad } })) });
    await a.trimThread({ threadId, beforeSeq: 20 });
    await a.compactions();
    expect(a.stats().compactions).toBe(0);
    expect((await walk(dir)).filter((f) => f.includes('.compact'))).toEqual([]);
    await a.appendEntries({ threadId, entries: [{ id: 'e30' }], expectedRev: 30 });
    expect((await a.readEntries({ threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(range(20, 31).map((i) => `e${i}`));
    refuse = false;
    await a.trimThread({ threadId, beforeSeq: 25 });
    await a.compactions();
    expect(a.stats().compactions).toBe(1);
    await a.close();
    const b = await open();
    expect(await b.getThread({ threadId })).toMatchObject({ rev: 31, firstSeq: 25 });
    expect((await b.readEntries({ threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(range(25, 31).map((i) => `e${i}`));
  });

  it('rebuilds the reverse index at open: a checkpoint pointer still bounds trims and policies after reopen', async () => {
    const { open } = await fresh();
    const a = await open();
    const threadId = rid('t');
    await a.appendEntries({ threadId, entries: Array.from({ length: 10 }, () => ({})) });
    await a.putCheckpoint({ agentType: 'a', agentId: 'low', state: {}, thread: { id: threadId, rev: 4 } });
    await a.close();
    const b = await open();
    await rejection(b.trimThread({ threadId, beforeSeq: 5 }), TrimBeyondCheckpoint, { agentId: 'low', pointerRev: 4 });
    expect((await b.setThreadRetention({ threadId, retention: { maxEntries: 1 } })).firstSeq).toBe(4);
    await b.deleteCheckpoint({ agentType: 'a', agentId: 'low' });
    expect((await b.appendEntries({ threadId, entries: [{}] })).thread).toMatchObject({ rev: 11, firstSeq: 10 });
  });
});
