/**
 * Crash safety of trims and compactions in the file adapter: a child process trims and compacts
 * a thread in a loop and SIGKILLs itself just before or just after its n-th file operation
 * (every write, rename and flush of the journal, the log, the compaction's temp file and the
 * directories; CRYO_KILL_AT in fixtures/file-writer-child.ts), for every n over several rounds.
 * A second thread has maxEntries 12, so its appends trim inside the append. After each kill the
 * store must open clean with every acknowledged retained entry, firstSeq at least the last
 * acknowledged trim and at most the trim in flight, and no entry below firstSeq readable; and it
 * must go on working (reopened twice, appended to).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { bundleChild } from './bundle-child.js';
import { rid } from 'cryo/storage/conformance';
import { DURABILITY_MODES, startChild, tempDir } from './file-helpers.js';

/** Kill points: the n-th file operation after the initial fill (a round takes 11–20). */
const KILL_POINTS = Number(process.env.CRYO_RETENTION_KILL_POINTS ?? 40);

type Line =
  | { op: 'append'; seq: number; ids: string[] }
  | { op: 'capped'; seq: number; ids: string[]; firstSeq: number }
  | { op: 'filled'; rev: number }
  | { op: 'trimming'; beforeSeq: number }
  | { op: 'trimmed'; firstSeq: number }
  | { op: 'compacted'; count: number };

let work: Awaited<ReturnType<typeof tempDir>>;
let child: string;

beforeAll(async () => {
  work = await tempDir('cryo-trim-crash-');
  child = await bundleChild('file-writer-child', work.path);
});
afterAll(() => work.remove());

describe.each(DURABILITY_MODES)('durability %s', (durability) => {
  describe('file adapter: SIGKILL during trims and compactions', () => {
    it(`loses no retained entry and shows no trimmed one, killed before or after each of ${KILL_POINTS} file operations`, async () => {
      let compactionsSeen = 0;
      let killedInCompaction = 0;
      for (const when of ['before', 'after'] as const) {
        for (let n = 1; n <= KILL_POINTS; n++) {
          const dir = await tempDir();
          const threadId = rid('k');
          const capped = rid('m');
          try {
            const run = startChild(['trim', dir.path, threadId, capped], { CRYO_FILE_DURABILITY: durability, CRYO_KILL_AT: `${n}:${when}` }, child);
            const exit = await run.exited;
            expect(exit.signal, run.stderr()).toBe('SIGKILL');
            const acked = new Map<number, string>();
            let ackedFirst = 0;
            let maxFirst = 0;
            let lastOp: Line['op'] | null = null;
            const cappedAcked = new Map<number, string>();
            let cappedFirst = 0;
            for (const text of run.lines) {
              let line: Line;
              try {
                line = JSON.parse(text) as Line;
              } catch {
                continue; // cut by the kill: never fully reported
              }
              lastOp = line.op;
              if (line.op === 'append') line.ids.forEach((id, i) => acked.set(line.seq + i, id));
              if (line.op === 'capped') {
                line.ids.forEach((id, i) => cappedAcked.set(line.seq + i, id));
                cappedFirst = line.firstSeq;
              }
              if (line.op === 'trimming') maxFirst = line.beforeSeq;
              if (line.op === 'trimmed') ackedFirst = line.firstSeq;
              if (line.op === 'compacted') compactionsSeen = Math.max(compactionsSeen, line.count);
            }
            expect(acked.size).toBeGreaterThanOrEqual(30);
            if (lastOp === 'trimmed') killedInCompaction++;
            const rev = Math.max(...acked.keys()) + 1;
            for (let reopen = 0; reopen < 2; reopen++) {
              const storage = await createFileStorage({ durability, directory: dir.path });
              try {
                expect(storage.recovery.corrupted).toEqual([]);
                const head = (await storage.getThread({ threadId }))!;
                expect(head.firstSeq).toBeGreaterThanOrEqual(ackedFirst);
                expect(head.firstSeq).toBeLessThanOrEqual(Math.max(ackedFirst, maxFirst));
                expect(head.rev).toBeGreaterThanOrEqual(rev);
                const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 10_000 });
                expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: head.rev - head.firstSeq }, (_, i) => head.firstSeq + i));
                for (const [seq, id] of acked) if (seq >= head.firstSeq) expect(entries[seq - head.firstSeq]?.id).toBe(id);
                const tail = await storage.readTail({ threadId, limit: 10_000 });
                expect(tail.entries.map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
                // The maxEntries thread: trimmed by its appends, at most one append (5 entries) past the last acknowledged one.
                const cappedHead = (await storage.getThread({ threadId: capped }))!;
                const cappedRev = Math.max(...cappedAcked.keys()) + 1;
                expect(cappedHead.rev === cappedRev || cappedHead.rev === cappedRev + 5).toBe(true);
                expect(cappedHead.firstSeq).toBe(Math.max(cappedFirst, cappedHead.rev - 12, 0));
                const kept = await storage.readEntries({ threadId: capped, fromSeq: 0, limit: 100 });
                const count = cappedHead.rev - cappedHead.firstSeq;
                expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, i) => cappedHead.firstSeq + i));
                for (const e of kept) if (cappedAcked.has(e.seq)) expect(e.id).toBe(cappedAcked.get(e.seq));
                if (reopen === 1) {
                  const next = await storage.appendEntries({ threadId, entries: [{ id: 'after' }], expectedRev: head.rev });
                  expect(next.thread).toMatchObject({ rev: head.rev + 1, firstSeq: head.firstSeq });
                }
              } finally {
                await storage.close();
              }
            }
          } finally {
            await dir.remove();
          }
        }
      }
      // The kill points reached into compactions (not only appends and trims).
      expect(compactionsSeen).toBeGreaterThanOrEqual(2);
      expect(killedInCompaction).toBeGreaterThan(0);
    });
  });
});
