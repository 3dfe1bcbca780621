/**
 * acquireStoreLock as any embedded engine uses it (a lock file beside its database), with other
 * processes holding the kernel lock directly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { acquireStoreLock } from '../../src/storage/store-lock.js';
import { eventually } from '../support/eventually.js';
import { rejection } from 'cryo/storage/conformance';
import { bundleChild } from './bundle-child.js';
import { tempDir } from './file-helpers.js';
import { processState, startUnreapedChild } from './unreaped-child.js';

const fsExt = createRequire(import.meta.url).resolve('fs-ext');
/** A node one-liner that takes the kernel lock on argv[1], prints "locked", then waits. */
const HOLD = `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a+');
require(${JSON.stringify(fsExt)}).flockSync(fd, 'exnb'); console.log('locked'); setInterval(() => {}, 1e6);`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function lockPath(): Promise<{ dir: string; path: string }> {
  const dir = await tempDir('cryo-lock-');
  cleanups.push(dir.remove);
  return { dir: dir.path, path: join(dir.path, 'db.sqlite.lock') };
}

describe('acquireStoreLock', () => {
  it('names this process in the file, refuses a second acquire here (symlinks too), and release is idempotent', async () => {
    const { dir, path } = await lockPath();
    const lock = await acquireStoreLock(path, `sqlite storage ${dir}/db.sqlite`);
    expect(lock.path).toBe(path);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), lock: 'flock' });
    const again = await rejection(acquireStoreLock(path, `sqlite storage ${dir}/db.sqlite`), StorageUnavailable);
    expect(again.message).toBe(`sqlite storage ${dir}/db.sqlite is already open in this process (pid ${process.pid})`);
    await symlink(dir, `${dir}-link`);
    cleanups.push(() => rm(`${dir}-link`, { force: true }));
    await rejection(acquireStoreLock(join(`${dir}-link`, 'db.sqlite.lock'), 'sqlite storage'), StorageUnavailable);
    await Promise.all([lock.release(), lock.release()]);
    await lock.release();
    await expect(access(path)).rejects.toThrow(/ENOENT/);
    await (await acquireStoreLock(path, 'sqlite storage')).release();
  });

  it('fails with StorageUnavailable naming the store when the lock file cannot be opened', async () => {
    const { dir } = await lockPath();
    const error = await rejection(acquireStoreLock(dir, 'sqlite storage /db'), StorageUnavailable);
    expect(error.message).toMatch(new RegExp(`^sqlite storage /db: cannot lock ${dir}: EISDIR`));
    await (await acquireStoreLock(join(dir, 'db.lock'), 'sqlite storage /db')).release();
  });

  it('is refused while another process holds the kernel lock, and free once that process is dead but not reaped', async () => {
    const { path } = await lockPath();
    const holder = await startUnreapedChild(process.execPath, ['-e', HOLD, path]);
    cleanups.push(holder.dispose);
    await holder.until((lines) => lines.includes('locked'));
    const error = await rejection(acquireStoreLock(path, 'sqlite storage /db'), StorageUnavailable);
    // That process wrote no holder into the file, so it cannot be named.
    expect(error.message).toBe('sqlite storage /db is locked by another process; stop that process first');
    process.kill(holder.pid, 'SIGKILL');
    // Its pipes close once every thread has let go of its files (and so of the lock); /proc may
    // show the leader as Z a moment before the last thread is done.
    await holder.ended;
    await eventually(async () => expect(await processState(holder.pid)).toBe('Z'));
    const lock = await acquireStoreLock(path, 'sqlite storage /db');
    expect(await processState(holder.pid)).toBe('Z');
    await lock.release();
  });

  it('holds the kernel lock against other processes until released', async () => {
    const { path } = await lockPath();
    const lock = await acquireStoreLock(path, 'sqlite storage /db');
    const probe = `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'r+');
      try { require(${JSON.stringify(fsExt)}).flockSync(fd, 'exnb'); console.log('got it'); } catch (e) { console.log(e.code); }`;
    const run = async (): Promise<string> => {
      const child = spawn(process.execPath, ['-e', probe, path]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await once(child, 'close');
      return out.trim();
    };
    expect(await run()).toBe('EAGAIN');
    await lock.release();
    await expect(access(path)).rejects.toThrow(/ENOENT/);
  });

  it('never lets two processes hold it at once while they race to acquire and release (the file is removed each time)', async () => {
    const { dir, path } = await lockPath();
    const child = await bundleChild('store-lock-child', dir);
    const log = join(dir, 'holders.log');
    const racers = Array.from({ length: 4 }, () => {
      const racer = spawn(process.execPath, [child, path, log, '600']);
      let out = '';
      racer.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      let err = '';
      racer.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      return once(racer, 'close').then(([code]) => {
        expect(err).toBe('');
        expect(code).toBe(0);
        return JSON.parse(out) as { held: number; refused: number };
      });
    });
    const counts = await Promise.all(racers);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    // Each holder's "+pid" is followed by its own "-pid" before anyone else's line.
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]![0]).toBe('+');
      expect(lines[i + 1]).toBe(`-${lines[i]!.slice(1)}`);
    }
    const held = counts.reduce((n, c) => n + c.held, 0);
    expect(lines.length).toBe(2 * held);
    expect(counts.reduce((n, c) => n + c.refused, 0)).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
    console.log(`store lock race: ${held} holds, ${counts.reduce((n, c) => n + c.refused, 0)} refusals`);
  });
});
