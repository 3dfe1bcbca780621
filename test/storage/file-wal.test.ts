import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageCorrupted } from '../../src/domain/errors.js';
import type { FileStorage } from '../../src/storage/file/index.js';
import { type Child, freshStore, journalPath, startChild, walFiles } from './file-helpers.js';
import { decodeRecord, RecordType } from '../../src/storage/file/record-codec.js';
import { rejection, rid } from 'cryo/storage/conformance';

interface Ack {
  thread: string;
  seq: number;
  ids: string[];
}

/** One write-ahead log record as found in the file. */
interface LogGroup {
  type: 'append' | 'delete';
  id: string;
  start: number;
  end: number;
  /** Entry ids carried (append only). */
  ids: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fresh = () => freshStore(cleanups, { durability: 'wal' }, 'cryo-wal-');

/** The one log segment a run without rotation leaves. */
async function onlySegment(dir: string): Promise<string> {
  const files = await walFiles(dir);
  expect(files).toHaveLength(1);
  return files[0]!;
}

/** Bytes in all log segments (a segment removed meanwhile counts 0). */
async function logBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await walFiles(dir)) total += await stat(file).then((s) => s.size, () => 0);
  return total;
}

/** Parses the log: groups of (WalAppend header + journal records) and tombstones. Throws on damage. */
async function readLog(path: string): Promise<LogGroup[]> {
  const bytes = await readFile(path);
  const groups: LogGroup[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const head = decodeRecord(bytes, pos);
    if (typeof head === 'string') throw new Error(`log damaged at ${pos}: ${head}`);
    const payload = JSON.parse(head.payload.toString('utf8')) as { id: string; len?: number };
    if (head.type === RecordType.WalDelete) {
      groups.push({ type: 'delete', id: payload.id, start: pos, end: head.end, ids: [] });
      pos = head.end;
      continue;
    }
    const ids: string[] = [];
    const end = head.end + payload.len!;
    for (let at = head.end; at < end; ) {
      const record = decodeRecord(bytes, at);
      if (typeof record === 'string') throw new Error(`log record damaged at ${at}: ${record}`);
      if (record.type === RecordType.Entry) ids.push((JSON.parse(record.payload.toString('utf8')) as { id: string }).id);
      at = record.end;
    }
    groups.push({ type: 'append', id: payload.id, start: pos, end, ids });
    pos = end;
  }
  return groups;
}

/** Kills the child with SIGKILL once `lines` acknowledgements are printed; returns them all. */
async function killAfter(child: Child, lines: number): Promise<Ack[]> {
  await child.until((l) => l.length >= lines);
  child.process.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
  const acks: Ack[] = [];
  for (const line of child.lines) {
    try {
      acks.push(JSON.parse(line) as Ack);
    } catch {
      // a line cut by the kill was never fully reported
    }
  }
  return acks;
}

/** Asserts every acknowledged (seq → id) is stored and the journal is a gap-free prefix. */
async function expectAcked(storage: FileStorage, acked: Map<string, Map<number, string>>): Promise<number> {
  let checked = 0;
  for (const [threadId, bySeq] of acked) {
    const head = await storage.getThread({ threadId });
    const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 100_000 });
    expect(entries.length).toBe(head?.rev ?? 0);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    for (const [seq, id] of bySeq) {
      expect(entries[seq]?.id, `${threadId} seq ${seq}`).toBe(id);
      checked++;
    }
  }
  return checked;
}

function record(acked: Map<string, Map<number, string>>, acks: Ack[]): void {
  for (const ack of acks) {
    let bySeq = acked.get(ack.thread);
    if (!bySeq) acked.set(ack.thread, (bySeq = new Map()));
    ack.ids.forEach((id, i) => bySeq.set(ack.seq + i, id));
  }
}

describe('file adapter, durability wal: crashes', () => {
  it('keeps every acknowledged append of 24 threads through 3 SIGKILLs while the log rotates', async () => {
    const { dir, open } = await fresh();
    const threads = Array.from({ length: 24 }, () => rid('w'));
    const acked = new Map<string, Map<number, string>>();
    let replays = 0;
    for (let round = 0; round < 3; round++) {
      const child = startChild(['write', dir, ...threads], { CRYO_FILE_DURABILITY: 'wal', CRYO_WAL_MAX_BYTES: '32768' });
      record(acked, await killAfter(child, 300));
      // Either mode replays a log left behind.
      const storage = await open({ durability: round === 1 ? 'per-thread-fsync' : 'wal' });
      expect(storage.recovery.corrupted).toEqual([]);
      if (storage.recovery.wal) replays++;
      expect(await expectAcked(storage, acked)).toBe([...acked.values()].reduce((n, m) => n + m.size, 0));
      await storage.close();
    }
    expect(replays).toBe(3);
  });

  it('appends, deletes and recreations on 12 threads through 3 SIGKILLs while the log rotates: acknowledged state survives, no delete is undone', async () => {
    const { dir, open } = await fresh();
    const threads = Array.from({ length: 12 }, () => rid('c'));
    const model = new Map<string, string[]>(threads.map((t) => [t, []]));
    let deletes = 0;
    for (let round = 0; round < 3; round++) {
      const child = startChild(['churn', dir, ...threads], { CRYO_FILE_DURABILITY: 'wal', CRYO_WAL_MAX_BYTES: '16384' });
      await child.until((lines) => lines.length >= 400);
      child.process.kill('SIGKILL');
      await child.exited;
      const pendingDelete = new Set<string>();
      for (const line of child.lines) {
        let op: { op: string; thread: string; seq?: number; ids?: string[] };
        try {
          op = JSON.parse(line) as typeof op;
        } catch {
          continue;
        }
        const entries = model.get(op.thread)!;
        if (op.op === 'deleting') pendingDelete.add(op.thread);
        else if (op.op === 'deleted') {
          pendingDelete.delete(op.thread);
          model.set(op.thread, []);
          deletes++;
        } else {
          // An append the previous child had in flight may have landed: the acknowledged seq says where this one is.
          if (op.seq! > entries.length) entries.push(...Array<string>(op.seq! - entries.length).fill('?'));
          entries.length = op.seq!;
          entries.push(...op.ids!);
        }
      }
      const storage = await open();
      expect(storage.recovery.corrupted).toEqual([]);
      for (const threadId of threads) {
        const actual = (await storage.readEntries({ threadId, fromSeq: 0, limit: 10_000 })).map((e) => e.id);
        const expected = model.get(threadId)!;
        if (pendingDelete.has(threadId) && actual.length === 0) {
          model.set(threadId, []);
          continue;
        }
        expect(actual.length, threadId).toBeGreaterThanOrEqual(expected.length);
        expect(actual.length, threadId).toBeLessThanOrEqual(expected.length + 2); // one unacknowledged append at most
        expected.forEach((id, seq) => {
          if (id !== '?') expect(actual[seq], `${threadId} seq ${seq}`).toBe(id);
        });
        model.set(threadId, actual);
      }
      await storage.close();
    }
    expect(deletes).toBeGreaterThan(10);
  });

  it('simulated power loss: journal writes after the last checkpoint lost, cut, garbled or holed; the log restores every acknowledged append', async () => {
    const { dir, open } = await fresh();
    const old = Array.from({ length: 8 }, () => rid('old'));
    const fresh8 = Array.from({ length: 8 }, () => rid('new'));
    const acked = new Map<string, Map<number, string>>();
    const first = await open();
    for (const threadId of old) {
      for (let i = 0; i < 3; i++) {
        const result = await first.appendEntries({ threadId, entries: [{ id: rid('e'), payload: { i } }] });
        record(acked, [{ thread: threadId, seq: result.entries[0]!.seq, ids: result.entries.map((e) => e.id) }]);
      }
    }
    await first.close(); // a checkpoint: journals flushed, log emptied
    expect(await walFiles(dir)).toEqual([]);
    const checkpointed = new Map<string, number>();
    for (const threadId of old) checkpointed.set(threadId, (await stat(journalPath(dir, 'default', threadId))).size);

    const child = startChild(['write', dir, ...old, ...fresh8], { CRYO_FILE_DURABILITY: 'wal' });
    record(acked, await killAfter(child, 200));
    expect(await logBytes(dir)).toBeGreaterThan(0);

    const damage: string[] = [];
    for (const [i, threadId] of [...old, ...fresh8].entries()) {
      const path = journalPath(dir, 'default', threadId);
      const kept = checkpointed.get(threadId) ?? 0;
      const size = (await stat(path)).size;
      if (size <= kept) continue;
      const cut = kept + 1 + Math.floor(Math.random() * (size - kept - 1));
      switch (i % 4) {
        case 0: // nothing after the checkpoint reached the disk (a new journal: not even its directory entry)
          if (kept === 0) await unlink(path);
          else await truncate(path, kept);
          damage.push('lost');
          break;
        case 1: // only a prefix reached the disk
          await truncate(path, cut);
          damage.push('cut');
          break;
        case 2: {
          // the end reached the disk as garbage
          const bytes = await readFile(path);
          randomBytes(size - cut).copy(bytes, cut);
          await writeFile(path, bytes);
          damage.push('garbled');
          break;
        }
        default: {
          // a hole: a page in the middle never landed, later ones did (mid-file damage without the log)
          const bytes = await readFile(path);
          bytes.fill(0, kept, Math.max(kept + 1, cut));
          await writeFile(path, bytes);
          damage.push('hole');
        }
      }
    }
    expect(new Set(damage)).toEqual(new Set(['lost', 'cut', 'garbled', 'hole']));

    const storage = await open();
    expect(storage.recovery.corrupted).toEqual([]);
    expect(storage.recovery.wal?.records).toBeGreaterThan(0);
    const checked = await expectAcked(storage, acked);
    expect(checked).toBeGreaterThanOrEqual(200 + 24);
    await storage.close();
    const again = await open({ durability: 'per-thread-fsync' });
    expect(again.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
    await expectAcked(again, acked);
  });
});

describe('file adapter, durability wal: the log itself', () => {
  it.each(['cut mid-record', 'zeroed end'] as const)('a torn log tail (%s) is ignored; every complete log record is replayed', async (kind) => {
    const { dir, open } = await fresh();
    const threads = Array.from({ length: 6 }, () => rid('t'));
    await killAfter(startChild(['write', dir, ...threads], { CRYO_FILE_DURABILITY: 'wal' }), 60);
    const wal = await onlySegment(dir);
    const groups = await readLog(wal);
    const last = groups.at(-1)!;
    expect(groups.length).toBeGreaterThan(2);
    const size = (await stat(wal)).size;
    if (kind === 'cut mid-record') await truncate(wal, last.start + 30);
    else {
      const bytes = await readFile(wal);
      bytes.fill(0, last.end - 10);
      await writeFile(wal, bytes);
    }
    const storage = await open();
    expect(storage.recovery.corrupted).toEqual([]);
    expect(storage.recovery.wal).toEqual({
      records: groups.length - 1,
      threads: new Set(groups.slice(0, -1).map((g) => g.id)).size,
      tornBytes: (kind === 'cut mid-record' ? last.start + 30 : size) - last.start,
    });
    for (const threadId of threads) {
      const stored = new Set((await storage.readEntries({ threadId, fromSeq: 0, limit: 10_000 })).map((e) => e.id));
      for (const g of groups.slice(0, -1).filter((x) => x.id === threadId)) for (const id of g.ids) expect(stored).toContain(id);
    }
  });

  it('damage in the middle of the log refuses to open (StorageCorrupted naming the log and offset) and changes nothing', async () => {
    const { dir, open } = await fresh();
    const threads = [rid('t'), rid('t')];
    await killAfter(startChild(['write', dir, ...threads], { CRYO_FILE_DURABILITY: 'wal' }), 30);
    const wal = await onlySegment(dir);
    const groups = await readLog(wal);
    const bytes = await readFile(wal);
    const target = groups[1]!;
    bytes[target.start + 25]! ^= 0x5a;
    await writeFile(wal, bytes);
    const journal = journalPath(dir, 'default', threads[0]!);
    const journalSize = (await stat(journal)).size;

    const error = await rejection(open(), StorageCorrupted);
    expect(error.location).toBe(`${wal} at offset ${target.start}`);
    expect(error.message).toContain('Move the log aside');
    expect((await stat(wal)).size).toBe(bytes.length);
    expect((await stat(journal)).size).toBe(journalSize);

    await rename(wal, `${wal}.damaged`);
    const storage = await open();
    expect((await storage.getThread({ threadId: threads[0]! }))!.rev).toBeGreaterThan(0);
  });

  it('a journal that lost flushed data (shorter than the log says) is reported damaged, only that thread', async () => {
    const { dir, open } = await fresh();
    const [lost, fine] = [rid('lost'), rid('fine')];
    const first = await open();
    for (const threadId of [lost, fine]) for (let i = 0; i < 3; i++) await first.appendEntries({ threadId, entries: [{ payload: { i } }] });
    await first.close();
    const path = journalPath(dir, 'default', lost);
    const checkpointed = (await stat(path)).size;
    await killAfter(startChild(['write', dir, lost, fine], { CRYO_FILE_DURABILITY: 'wal' }), 20);
    await truncate(path, checkpointed - 5);

    const storage = await open();
    expect(storage.recovery.corrupted).toEqual([expect.objectContaining({ file: path })]);
    await rejection(storage.readTail({ threadId: lost, limit: 1 }), StorageCorrupted);
    expect((await storage.getThread({ threadId: fine }))!.rev).toBeGreaterThan(3);
    expect(await storage.deleteThread({ threadId: lost })).toBe(true);
    expect((await storage.appendEntries({ threadId: lost, entries: [{}] })).entries[0]!.seq).toBe(0);
  });

  it('replays several segments in order; a torn end in a segment that is not the last is corruption', async () => {
    const { dir, open } = await fresh();
    const threads = [rid('t'), rid('t'), rid('t')];
    const acked = new Map<string, Map<number, string>>();
    record(acked, await killAfter(startChild(['write', dir, ...threads], { CRYO_FILE_DURABILITY: 'wal' }), 60));
    const wal = await onlySegment(dir);
    expect(wal).toBe(join(dir, 'WAL.1'));
    const groups = await readLog(wal);
    const bytes = await readFile(wal);
    const at = Math.floor(groups.length / 2);
    const split = groups[at]!.start;
    await writeFile(join(dir, 'WAL.1'), bytes.subarray(0, split - 7));
    await writeFile(join(dir, 'WAL.2'), bytes.subarray(split));
    const error = await rejection(open(), StorageCorrupted);
    expect(error.location).toBe(`${join(dir, 'WAL.1')} at offset ${groups[at - 1]!.start}`);

    await writeFile(join(dir, 'WAL.1'), bytes.subarray(0, split));
    const storage = await open();
    expect(storage.recovery.wal).toEqual({ records: groups.length, threads: 3, tornBytes: 0 });
    expect(storage.recovery.corrupted).toEqual([]);
    await expectAcked(storage, acked);
    expect(await walFiles(dir)).toEqual([join(dir, 'WAL.3')]);
  });

  it('a logged delete is not undone by replay, and a thread recreated after its delete keeps only its new entries', async () => {
    const { dir, open } = await fresh();
    const [gone, again] = [rid('gone'), rid('again')];
    const child = startChild(['delete', dir, gone, again], { CRYO_FILE_DURABILITY: 'wal' });
    await child.until((lines) => lines.length >= 1);
    const done = JSON.parse(child.lines[0]!) as { again: string[] };
    child.process.kill('SIGKILL');
    await child.exited;
    const groups = await readLog(await onlySegment(dir));
    expect(groups.filter((g) => g.id === gone).map((g) => g.type)).toEqual(['append', 'append', 'append', 'delete']);
    expect(groups.filter((g) => g.id === again).map((g) => g.type)).toEqual(['append', 'append', 'delete', 'append']);

    const storage = await open();
    expect(storage.recovery.corrupted).toEqual([]);
    expect(await storage.getThread({ threadId: gone })).toBeNull();
    await expect(stat(journalPath(dir, 'default', gone))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await storage.readEntries({ threadId: again, fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(done.again);
    expect((await storage.listThreads({})).items.map((t) => t.id)).toEqual([again]);
  });

  it('rotates under 32 concurrent writers (checkpoints while appends and reads run); nothing lost, old segments removed', async () => {
    const { dir, open } = await fresh();
    const storage = await open({ walMaxBytes: 8192 });
    const threads = Array.from({ length: 32 }, () => rid('r'));
    const ids = new Map(threads.map((t) => [t, [] as string[]]));
    let maxLog = 0;
    await Promise.all(
      threads.map(async (threadId) => {
        for (let n = 0; n < 25; n++) {
          const id = rid('e');
          ids.get(threadId)!.push(id);
          const result = await storage.appendEntries({ threadId, entries: [{ id, payload: { n, pad: 'x'.repeat(100) } }] });
          expect(result.entries[0]!.seq).toBe(n);
          maxLog = Math.max(maxLog, await logBytes(dir));
          const tail = await storage.readTail({ threadId, limit: 2 });
          expect(tail.entries.at(-1)!.id).toBe(id);
        }
      }),
    );
    expect(storage.stats().walCheckpoints).toBeGreaterThan(1);
    expect((await walFiles(dir)).length).toBeLessThanOrEqual(2); // the current segment and at most one being checkpointed
    expect(maxLog).toBeGreaterThan(0);
    await storage.close();
    expect(await walFiles(dir)).toEqual([]);
    const reopened = await open({ durability: 'per-thread-fsync' });
    expect(reopened.recovery).toEqual({ truncated: [], removed: [], corrupted: [] });
    for (const threadId of threads) {
      expect((await reopened.readEntries({ threadId, fromSeq: 0, limit: 100 })).map((e) => e.id)).toEqual(ids.get(threadId));
    }
  });

  it('32 appends on 32 threads share log flushes: fewer fdatasync calls than appends', async () => {
    const { open } = await fresh();
    const storage = await open();
    const before = storage.stats();
    const threads = Array.from({ length: 32 }, () => rid('s'));
    await Promise.all(threads.map((threadId) => storage.appendEntries({ threadId, entries: [{}] })));
    const after = storage.stats();
    expect(after.appends - before.appends).toBe(32);
    expect(after.syncCalls - before.syncCalls).toBeLessThan(16);
    expect(after.durability).toBe('wal');
  });
});
