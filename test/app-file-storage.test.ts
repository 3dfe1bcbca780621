import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { defineConfig } from '../src/config.js';
import { createFileStorage, type FileStorage } from '../src/storage/file/index.js';
import { THREADS_DIR } from '../src/storage/file/names.js';

describe('start-up on a file store that needed repair', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs the cut torn tail as a warning, and the thread still answers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-recovery-log-'));
    const storage = await createFileStorage({ directory: dir });
    await storage.appendEntries({ threadId: 'torn', entries: [{ id: 'a' }, { id: 'b' }] });
    await storage.close();
    const [journal] = await readdir(join(dir, THREADS_DIR));
    await appendFile(join(dir, THREADS_DIR, journal!), Buffer.from('half a record that never got acknowledged'));

    const lines: { level: number; msg: string; truncated?: unknown[] }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const app = await buildApp(defineConfig({ storage: `file:${dir}`, port: 0 }), {
      logger: pino({ level: 'info' }, sink),
      dashboardDir: null,
      operationsDir: null,
    });
    try {
      const warning = lines.find((line) => line.msg.startsWith('storage: recovered at open'));
      expect(warning?.level).toBe(40);
      expect(warning?.truncated).toHaveLength(1);
      expect((await app.storage.getThread({ threadId: 'torn' }))?.rev).toBe(2);
    } finally {
      await app.stop();
    }
  });
});

describe('CRYO_FILE_DURABILITY reaches the file adapter', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['wal', 'per-thread-fsync'] as const)('%s', async (fileDurability) => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-durability-'));
    const app = await buildApp(defineConfig({ storage: `file:${dir}`, port: 0, logLevel: 'silent', fileDurability }), {
      dashboardDir: null,
      operationsDir: null,
    });
    try {
      await app.storage.appendEntries({ threadId: 't', entries: [{}] });
      expect((app.storage as FileStorage).stats()).toMatchObject({ durability: fileDurability, appends: 1 });
    } finally {
      await app.stop();
    }
  });
});
