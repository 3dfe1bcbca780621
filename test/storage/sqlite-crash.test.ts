import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { rid } from 'cryo/storage/conformance';
import { SQLITE_CHILD, startChild, tempDir } from './file-helpers.js';

interface Ack {
  thread: string;
  seq: number;
  ids: string[];
}

describe('sqlite adapter: crash safety', () => {
  it('keeps every acknowledged append through 5 SIGKILLs of a child writing with 8 writers', async () => {
    const dir = await tempDir('cryo-sqlite-crash-');
    const path = join(dir.path, 'cryo.db');
    const threads = [rid('c'), rid('c'), rid('c')];
    const acked = new Map<string, Map<number, string>>(threads.map((t) => [t, new Map()]));
    try {
      for (let round = 0; round < 5; round++) {
        const child = startChild(['write', path, ...threads], {}, SQLITE_CHILD);
        await child.until((lines) => lines.length >= 40 + 10 * round);
        child.process.kill('SIGKILL');
        const exit = await child.exited;
        expect(exit.signal).toBe('SIGKILL');
        for (const line of child.lines) {
          let ack: Ack;
          try {
            ack = JSON.parse(line) as Ack;
          } catch {
            continue; // a line cut by the kill was never fully reported
          }
          ack.ids.forEach((id, i) => acked.get(ack.thread)!.set(ack.seq + i, id));
        }

        const storage = await createSqliteStorage({ path });
        try {
          for (const threadId of threads) {
            const head = await storage.getThread({ threadId });
            const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 100_000 });
            expect(entries.length).toBe(head?.rev ?? 0);
            expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
            for (const [seq, id] of acked.get(threadId)!) expect(entries[seq]?.id).toBe(id);
          }
        } finally {
          await storage.close();
        }
      }
      const total = [...acked.values()].reduce((n, m) => n + m.size, 0);
      expect(total).toBeGreaterThanOrEqual(5 * 40);
    } finally {
      await dir.remove();
    }
  });

  it('loses no retained entry and leaves no trimmed entry readable when SIGKILLed during large trims (5 kills)', async () => {
    const dir = await tempDir('cryo-sqlite-crash-trim-');
    const path = join(dir.path, 'cryo.db');
    const threadId = rid('t');
    const acked = new Map<number, string>();
    let durableFirstSeq = 0; // the highest firstSeq a trim acknowledged
    let askedFirstSeq = 0; // the highest beforeSeq a trim was sent with
    try {
      for (let round = 0; round < 5; round++) {
        const child = startChild(['trim', path, threadId], {}, SQLITE_CHILD);
        let seen = 0;
        // Kill as the (round+1)-th trim of this run starts (even rounds: it deletes ~1,800 entries
        // of 1 KB and vacuums, so the kill lands in it or its commit) or as it is acknowledged
        // (odd rounds: the child goes on appending and trimming). Every outcome keeps the invariants.
        const marker = round % 2 === 0 ? '{"trimming"' : '{"trimmed"';
        await child.until((lines) => lines.filter((l) => l.startsWith(marker)).length > round);
        child.process.kill('SIGKILL');
        expect((await child.exited).signal).toBe('SIGKILL');
        for (const line of child.lines) {
          let parsed: Ack | { trimming: number } | { trimmed: number };
          try {
            parsed = JSON.parse(line) as typeof parsed;
          } catch {
            continue; // a line cut by the kill was never fully reported
          }
          if ('trimming' in parsed) askedFirstSeq = Math.max(askedFirstSeq, parsed.trimming);
          else if ('trimmed' in parsed) durableFirstSeq = Math.max(durableFirstSeq, parsed.trimmed);
          else parsed.ids.forEach((id, i) => acked.set(parsed.seq + i, id));
          seen++;
        }
        expect(seen).toBeGreaterThan(0);

        const storage = await createSqliteStorage({ path });
        let firstSeq: number;
        let rev: number;
        try {
          const head = (await storage.getThread({ threadId }))!;
          ({ firstSeq, rev } = head);
          expect(firstSeq).toBeGreaterThanOrEqual(durableFirstSeq);
          expect(firstSeq).toBeLessThanOrEqual(askedFirstSeq);
          const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 1_000_000 });
          expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: rev - firstSeq }, (_, i) => firstSeq + i));
          for (const [seq, id] of acked) if (seq >= firstSeq) expect(entries[seq - firstSeq]?.id).toBe(id);
          expect(await storage.readEntries({ threadId, fromSeq: Math.max(0, firstSeq - 1), limit: 1 })).toEqual(entries.slice(0, 1));
        } finally {
          await storage.close();
        }
        // Below the API: no row under firstSeq is left in the file, and SQLite finds it sound.
        const db = new Database(path);
        try {
          expect(db.prepare('SELECT count(*) FROM entries e JOIN threads t ON t.tid = e.tid WHERE e.seq < t.first_seq').pluck().get()).toBe(0);
          expect(db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(rev - firstSeq);
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        } finally {
          db.close();
        }
      }
      expect(durableFirstSeq).toBeGreaterThan(0);
    } finally {
      await dir.remove();
    }
  });
});
