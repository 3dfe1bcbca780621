import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { defaultFileIo, type FileIo } from '../../src/storage/file/file-io.js';
import { createFileStorage, type FileStorage } from '../../src/storage/file/index.js';
import { DURABILITY_MODES, journalPath, tempDir, walFiles, walk } from './file-helpers.js';
import type { ChangeEvent } from '../../src/storage/types.js';
import { rejection, rid } from 'cryo/storage/conformance';

const errno = (code: string): Error => Object.assign(new Error(`${code}: injected`), { code });

/** File operations that fail on demand: set `fault` to make the next calls of a kind fail. */
function faultyIo() {
  const fault: {
    write: 'enospc' | 'short-then-enospc' | null;
    /** Fail every write call after this many more succeed. */
    writesLeft: number;
    truncate: boolean;
    datasync: boolean;
    walWrite: boolean;
  } = {
    write: null,
    writesLeft: Infinity,
    truncate: false,
    datasync: false,
    walWrite: false,
  };
  const io: Partial<FileIo> = {
    write: async (handle, buffer, offset, length, position) => {
      if (fault.writesLeft-- <= 0) throw errno('ENOSPC');
      if (fault.write === 'enospc') throw errno('ENOSPC');
      if (fault.write === 'short-then-enospc') {
        fault.write = 'enospc';
        return defaultFileIo.write(handle, buffer, offset, Math.max(1, length >> 1), position);
      }
      return defaultFileIo.write(handle, buffer, offset, length, position);
    },
    truncate: async (handle, length) => {
      if (fault.truncate) throw errno('EIO');
      return defaultFileIo.truncate(handle, length);
    },
    datasync: async (handle) => {
      if (fault.datasync) throw errno('EIO');
      return defaultFileIo.datasync(handle);
    },
  };
  /** The write-ahead log's operations: its flushes fail with `datasync`, its writes with `walWrite`. */
  const walIo: Partial<FileIo> = {
    write: async (handle, buffer, offset, length, position) => {
      if (fault.walWrite) throw errno('ENOSPC');
      return defaultFileIo.write(handle, buffer, offset, length, position);
    },
    datasync: async (handle) => {
      if (fault.datasync) throw errno('EIO');
      return defaultFileIo.datasync(handle);
    },
  };
  return { fault, io, walIo };
}

describe.each(DURABILITY_MODES)('durability %s', (durability) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const dir = await tempDir();
    const { fault, io, walIo } = faultyIo();
    const opened: FileStorage[] = [];
    cleanups.push(async () => {
      for (const s of opened) await s.close();
      await dir.remove();
    });
    const open = async (withFaults = true): Promise<FileStorage> => {
      const storage = await createFileStorage({ durability, directory: dir.path, ...(withFaults ? { io, walIo } : {}) });
      opened.push(storage);
      return storage;
    };
    const storage = await open();
    const threadId = rid('t');
    await storage.appendEntries({ threadId, entries: [{ id: 'a' }, { id: 'b' }] });
    const path = journalPath(dir.path, 'default', threadId);
    const events: ChangeEvent[] = [];
    await storage.changes.subscribeThread('default', threadId, (e) => events.push(e));
    return { dir: dir.path, fault, open, storage, threadId, path, events, goodSize: (await stat(path)).size };
  }

  describe('file adapter: write and flush failures are never acknowledged', () => {
    it.each(['enospc', 'short-then-enospc'] as const)(
      'a failed write (%s) rejects, leaves no half record, and the next append lands at the right seq',
      async (kind) => {
        const { fault, open, storage, threadId, path, events, goodSize } = await setup();
        fault.write = kind;
        const error = await rejection(storage.appendEntries({ threadId, entries: [{ id: 'c' }, { id: 'd' }] }), StorageUnavailable);
        expect(error.message).toContain('ENOSPC');
        expect((await stat(path)).size).toBe(goodSize);
        expect((await storage.getThread({ threadId }))!.rev).toBe(2);
        expect(events).toEqual([]);

        fault.write = null;
        const next = await storage.appendEntries({ threadId, entries: [{ id: 'e' }], expectedRev: 2 });
        expect(next.entries[0]!.seq).toBe(2);
        await storage.close();
        const reopened = await open(false);
        expect(reopened.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
        expect((await reopened.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['a', 'b', 'e']);
      },
    );

    it('appends queued behind a failed combined write are all rejected, and the thread continues cleanly', async () => {
      const { fault, open, storage, threadId, path, events } = await setup();
      fault.writesLeft = 1;
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => storage.appendEntries({ threadId, entries: [{ id: `q${i}` }] })),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', ...Array(9).fill('rejected')]);
      expect(events).toEqual([{ type: 'thread-appended', namespace: 'default', threadId, rev: 3 }]);
      fault.writesLeft = Infinity;
      const sizeAfterFailure = (await stat(path)).size;
      const next = await storage.appendEntries({ threadId, entries: [{ id: 'z' }], expectedRev: 3 });
      expect(next.entries[0]!.seq).toBe(3);
      expect((await stat(path)).size).toBeGreaterThan(sizeAfterFailure);
      await storage.close();
      const reopened = await open(false);
      expect(reopened.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
      expect((await reopened.readEntries({ threadId, fromSeq: 0, limit: 20 })).map((e) => e.id)).toEqual(['a', 'b', 'q0', 'z']);
    });

    it('when the cut-back fails too, the thread refuses further appends until reopen, which cuts the half record', async () => {
      const { fault, open, storage, threadId, path, goodSize } = await setup();
      fault.write = 'short-then-enospc';
      fault.truncate = true;
      await rejection(storage.appendEntries({ threadId, entries: [{ id: 'c' }] }), StorageUnavailable);
      expect((await stat(path)).size).toBeGreaterThan(goodSize);
      fault.write = null;
      const refused = await rejection(storage.appendEntries({ threadId, entries: [{ id: 'd' }] }), StorageUnavailable);
      expect(refused.message).toContain('reopen');
      expect((await storage.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['a', 'b']);
      const other = await storage.appendEntries({ threadId: rid('o'), entries: [{}] });
      expect(other.thread.rev).toBe(1);
      await storage.close();

      const reopened = await open(false);
      expect(reopened.recovery.truncated).toEqual([expect.objectContaining({ file: path, to: goodSize })]);
      expect((await reopened.appendEntries({ threadId, entries: [{ id: 'd' }], expectedRev: 2 })).entries[0]!.seq).toBe(2);
    });

    it('a failed flush rejects every append waiting on it, publishes nothing, and fences the thread', async () => {
      const { fault, storage, threadId, events } = await setup();
      fault.datasync = true;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.appendEntries({ threadId, entries: [{ id: `x${i}` }] })),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailable);
      }
      expect((await storage.getThread({ threadId }))!.rev).toBe(2);
      expect(events).toEqual([]);
      fault.datasync = false;
      await rejection(storage.appendEntries({ threadId, entries: [{}] }), StorageUnavailable);
      expect(storage.stats().appends).toBe(1);
    });

    it('a failed checkpoint write keeps the previous checkpoint and leaves no temp file', async () => {
      const { dir, fault, storage } = await setup();
      await storage.putCheckpoint({ agentType: 'a', agentId: 'b', state: { v: 1 } });
      fault.write = 'enospc';
      await rejection(storage.putCheckpoint({ agentType: 'a', agentId: 'b', state: { v: 2 } }), StorageUnavailable);
      fault.write = null;
      expect(await storage.getCheckpoint({ agentType: 'a', agentId: 'b' })).toMatchObject({ rev: 1, state: { v: 1 } });
      expect(await walk(join(dir, 'checkpoints'))).toHaveLength(1);
      expect((await storage.putCheckpoint({ agentType: 'a', agentId: 'b', state: { v: 3 }, expectedRev: 1 })).rev).toBe(2);
    });
  });

  describe.runIf(durability === 'wal')('file adapter: write-ahead log failures', () => {
    it('a failed log write rejects, cuts the journal back, leaves the log as it was, and the next append lands at the right seq', async () => {
      const { dir, fault, open, storage, threadId, path, events, goodSize } = await setup();
      const [wal] = await walFiles(dir);
      if (!wal) throw new Error('no log segment');
      const walSize = (await stat(wal)).size;
      fault.walWrite = true;
      const error = await rejection(storage.appendEntries({ threadId, entries: [{ id: 'c' }, { id: 'd' }] }), StorageUnavailable);
      expect(error.message).toContain('ENOSPC');
      expect((await stat(path)).size).toBe(goodSize);
      expect((await stat(wal)).size).toBe(walSize);
      expect(events).toEqual([]);
      fault.walWrite = false;
      const next = await storage.appendEntries({ threadId, entries: [{ id: 'e' }], expectedRev: 2 });
      expect(next.entries[0]!.seq).toBe(2);
      await storage.close();
      const reopened = await open(false);
      expect(reopened.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
      expect((await reopened.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['a', 'b', 'e']);
    });

    it('a failed log flush fences every thread until reopen, which replays the log', async () => {
      const { fault, open, storage, threadId, events } = await setup();
      fault.datasync = true;
      await rejection(storage.appendEntries({ threadId, entries: [{ id: 'x' }] }), StorageUnavailable);
      fault.datasync = false;
      const refused = await rejection(storage.appendEntries({ threadId: rid('o'), entries: [{}] }), StorageUnavailable);
      expect(refused.message).toContain('reopen');
      expect(events).toEqual([]);
      await storage.close();
      const reopened = await open(false);
      expect(reopened.recovery.wal?.records).toBeGreaterThan(0);
      expect(reopened.recovery.corrupted).toEqual([]);
      const stored = (await reopened.readEntries({ threadId, fromSeq: 0, limit: 10 })).map((e) => e.id);
      expect(stored.slice(0, 2)).toEqual(['a', 'b']); // 'x' was never acknowledged: it may or may not be there
      const next = await reopened.appendEntries({ threadId, entries: [{ id: 'y' }], expectedRev: stored.length });
      expect(next.entries[0]!.seq).toBe(stored.length);
    });
  });
});
