/**
 * Crash-restart soak of the file adapter's directory lock: a writer is SIGKILLed while appending
 * and the store is reopened at once, while the killed writer is still a zombie (its parent never
 * reaps it). Rounds: CRYO_SOAK_ROUNDS (default 20).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { procStat } from '../../src/storage/legacy-lock.js';
import { createFileStorage } from '../../src/storage/file/index.js';
import { eventually } from '../support/eventually.js';
import { rejection, rid } from 'cryo/storage/conformance';
import { DURABILITY_MODES, tempDir } from './file-helpers.js';
import { bundleChild } from './bundle-child.js';
import { processState, startUnreapedChild } from './unreaped-child.js';

const ROUNDS = Number(process.env.CRYO_SOAK_ROUNDS ?? 20);

interface Ack {
  thread: string;
  seq: number;
  ids: string[];
}

let work: Awaited<ReturnType<typeof tempDir>>;
let writer: string;

beforeAll(async () => {
  work = await tempDir('cryo-soak-');
  writer = await bundleChild('file-writer-child', work.path);
});
afterAll(() => work.remove());

describe('file adapter: restart right after a crash (holder killed, not reaped)', () => {
  it(`reopens at once in each of ${ROUNDS} rounds with the killed writer a zombie, keeping every acknowledged append`, async () => {
    const store = join(work.path, 'store');
    const threads = [rid('s'), rid('s'), rid('s')];
    const acked = new Map<string, Map<number, string>>(threads.map((t) => [t, new Map()]));
    let zombieRestarts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const durability = DURABILITY_MODES[round % DURABILITY_MODES.length]!;
      const child = await startUnreapedChild(process.execPath, [writer, 'write', store, ...threads], { CRYO_FILE_DURABILITY: durability });
      try {
        await child.until((lines) => lines.length >= 10);
        process.kill(child.pid, 'SIGKILL');
        await child.ended;
        // A supervisor hears of a death once the child is a zombie; restart from that moment.
        await eventually(async () => expect(await processState(child.pid)).toMatch(/^[ZX]$/));
        const before = await processState(child.pid);

        const storage = await createFileStorage({ durability, directory: store });
        const after = await processState(child.pid);
        if (before === 'Z' && after === 'Z') zombieRestarts++;
        try {
          for (const line of child.lines) {
            let ack: Ack;
            try {
              ack = JSON.parse(line) as Ack;
            } catch {
              continue; // a line cut by the kill was never fully reported
            }
            ack.ids.forEach((id, i) => acked.get(ack.thread)!.set(ack.seq + i, id));
          }
          expect(storage.recovery.corrupted).toEqual([]);
          for (const threadId of threads) {
            const head = await storage.getThread({ threadId });
            const entries = await storage.readEntries({ threadId, fromSeq: 0, limit: 100_000 });
            expect(entries.length).toBe(head?.rev ?? 0);
            for (const [seq, id] of acked.get(threadId)!) expect(entries[seq]?.id).toBe(id);
          }
        } finally {
          await storage.close();
        }
      } finally {
        await child.dispose();
      }
    }
    const total = [...acked.values()].reduce((n, m) => n + m.size, 0);
    console.log(`crash-restart soak: ${ROUNDS} rounds, ${zombieRestarts} restarts while the killed writer was a zombie, ${total} acknowledged entries checked`);
    // Without at least some restarts during the zombie window this test would prove nothing.
    expect(zombieRestarts).toBeGreaterThanOrEqual(Math.ceil(ROUNDS / 2));
    expect(total).toBeGreaterThanOrEqual(ROUNDS * 10);
  });

  it('still refuses while the holder is alive (stopped included), naming it, and lets in after it exits', async () => {
    const store = join(work.path, 'live');
    const holder = spawn(process.execPath, [writer, 'open', store]);
    const exited = once(holder, 'close');
    await once(holder.stdout, 'data');
    const message = `file storage ${store} is locked by process ${holder.pid} on ${hostname()} (since `;
    const error = await rejection(createFileStorage({ directory: store }), StorageUnavailable);
    expect(error.message).toContain(message);
    expect(error.message).toContain('stop that process first');
    holder.kill('SIGSTOP');
    await eventually(async () => expect(await processState(holder.pid!)).toBe('T'));
    expect((await rejection(createFileStorage({ directory: store }), StorageUnavailable)).message).toContain(message);
    expect(JSON.parse(await readFile(join(store, 'LOCK'), 'utf8'))).toMatchObject({ pid: holder.pid });
    holder.kill('SIGCONT');
    holder.stdin.end();
    expect(await exited).toEqual([0, null]);
    await (await createFileStorage({ directory: store })).close();
  });

  it('opens over a LOCK naming a live unrelated process (pid reused), in either format', async () => {
    const store = join(work.path, 'reused');
    await (await createFileStorage({ directory: store })).close();
    const other = spawn('sleep', ['600']);
    await once(other, 'spawn');
    try {
      const start = (await procStat(other.pid!))!.start;
      const base = { pid: other.pid, host: hostname(), startedAt: 'then' };
      for (const lock of [{ ...base, lock: 'flock' }, { ...base, lock: 'flock', procStart: start }, { ...base, procStart: '1' }]) {
        await writeFile(join(store, 'LOCK'), JSON.stringify(lock));
        const storage = await createFileStorage({ directory: store });
        expect(JSON.parse(await readFile(join(store, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid, lock: 'flock' });
        await storage.close();
      }
    } finally {
      other.kill('SIGKILL');
      await once(other, 'close');
    }
  });

  it('opens over a LOCK of the pre-kernel-lock format whose process is a zombie', async () => {
    const store = join(work.path, 'legacy-zombie');
    await (await createFileStorage({ directory: store })).close();
    const child = await startUnreapedChild('sleep', ['600']);
    try {
      process.kill(child.pid, 'SIGKILL');
      await child.ended;
      await eventually(async () => expect(await processState(child.pid)).toBe('Z'));
      const procStart = (await procStat(child.pid))!.start;
      await writeFile(join(store, 'LOCK'), JSON.stringify({ pid: child.pid, host: hostname(), startedAt: 'then', procStart }));
      await (await createFileStorage({ directory: store })).close();
      expect(await processState(child.pid)).toBe('Z');
    } finally {
      await child.dispose();
    }
  });
});
