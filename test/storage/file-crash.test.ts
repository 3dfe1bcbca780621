import { describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { rid } from 'cryo/storage/conformance';
import { DURABILITY_MODES, startChild, tempDir } from './file-helpers.js';

interface Ack {
  thread: string;
  seq: number;
  ids: string[];
}

describe.each(DURABILITY_MODES)('durability %s', (durability) => {
  describe('file adapter: crash safety', () => {
    it('keeps every acknowledged append through 5 SIGKILLs of a writing child process', async () => {
      const dir = await tempDir();
      const threads = [rid('c'), rid('c'), rid('c')];
      const acked = new Map<string, Map<number, string>>(threads.map((t) => [t, new Map()]));
      let truncations = 0;
      try {
        for (let round = 0; round < 5; round++) {
          const child = startChild(['write', dir.path, ...threads], { CRYO_FILE_DURABILITY: durability });
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

          const storage = await createFileStorage({ durability, directory: dir.path });
          try {
            expect(storage.recovery.corrupted).toEqual([]);
            truncations += storage.recovery.truncated.length;
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
        console.log(`crash test: ${total} acknowledged entries checked, ${truncations} torn tails cut`);
      } finally {
        await dir.remove();
      }
    });
  });
});
