import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { seedStore } from '../ops/seed.js';
import { runCryo, spawnCryo } from './helpers.js';

let dir: string;
let source: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cryo-cli-'));
  source = `file:${join(dir, 'source')}`;
  const storage = await createFileStorage({ directory: join(dir, 'source') });
  await seedStore(storage);
  // Many threads, so an import is still running when it is killed after its first chunk.
  for (let t = 0; t < 60; t++) {
    await storage.appendEntries({ threadId: `bulk-${String(t).padStart(3, '0')}`, entries: Array.from({ length: 300 }, (_, i) => ({ id: `b${t}-${i}` })) });
  }
  await storage.close();
  backup = join(dir, 'backup.ndjson');
  const run = await runCryo(['export', '--storage', source, '--out', backup]);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const body = (text: string): string => text.slice(text.indexOf('\n') + 1);

describe('cryo export / import', () => {
  it('--help, usage mistakes (exit 2) and an unknown command', async () => {
    for (const command of ['export', 'import', 'verify', 'serve']) {
      const help = await runCryo([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: cryo ${command}`));
    }
    const unknownFlag = await runCryo(['export', '--storage', source, '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/^cryo: Unknown option '--bogus'/);
    const noStorage = await runCryo(['verify'], { CRYO_STORAGE: '' });
    expect(noStorage.code).toBe(2);
    expect(noStorage.stderr).toContain('--storage URL is required');
    const badUrl = await runCryo(['verify', '--storage', 'ftp://x']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('unsupported storage URL');
    const unknown = await runCryo(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('an import killed half-way completes on a re-run: no duplicates, no gaps, same export', async () => {
    const target = `file:${join(dir, 'killed')}`;
    const child = spawnCryo(['import', '--storage', target, '--in', backup], { CRYO_PROGRESS_INTERVAL_MS: '0' });
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr!.on('data', (d: string) => {
        seen += d;
        if (/import: [1-9]\d*\//.test(seen)) resolve();
      });
    });
    child.kill('SIGKILL');
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');
    // It really stopped part-way.
    const partial = await runCryo(['export', '--storage', target]);
    const end = JSON.parse(partial.stdout.trim().split('\n').pop()!);
    expect(end.entries).toBeGreaterThan(0);
    expect(end.entries).toBeLessThan(2503 + 60 * 300);

    const rerun = await runCryo(['import', '--storage', target, '--in', backup]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/[1-9]\d* already there/);
    const full = await runCryo(['export', '--storage', target]);
    expect(body(full.stdout)).toBe(body(await readFile(backup, 'utf8')));
    const verify = await runCryo(['verify', '--storage', target]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('refuses a damaged line or another format version with its line number, importing nothing', async () => {
    const lines = (await readFile(backup, 'utf8')).split('\n');
    const damaged = join(dir, 'damaged.ndjson');
    // Line 2000 is an entry of the long thread, after whole chunks of it.
    await writeFile(damaged, [...lines.slice(0, 1999), lines[1999]!.slice(0, 20), ...lines.slice(2000)].join('\n'));
    const target = `file:${join(dir, 'refused')}`;
    const refused = await runCryo(['import', '--storage', target, '--in', damaged]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 2000: not a JSON line');
    expect(JSON.parse(lines[0]!).version).toBe(3);
    const versioned = join(dir, 'v4.ndjson');
    await writeFile(versioned, [JSON.stringify({ ...JSON.parse(lines[0]!), version: 4 }), ...lines.slice(1)].join('\n'));
    const v4 = await runCryo(['import', '--storage', target, '--in', versioned]);
    expect(v4.code).toBe(1);
    expect(v4.stderr).toContain('line 1: format version 4 is not supported (this build reads versions 1, 2, 3)');
    // A thread record whose firstSeq is above its rev, or whose retention is malformed.
    const threadLine = lines.findIndex((l) => l.includes('"type":"thread"'));
    for (const [patch, reason] of [
      [{ firstSeq: 1e6 }, 'is above rev'],
      [{ retention: { maxEntries: 0, maxAgeSeconds: null } }, 'retention.maxEntries must be null or a positive integer'],
    ] as const) {
      const bad = join(dir, 'bad-thread.ndjson');
      const patched = [...lines];
      patched[threadLine] = JSON.stringify({ ...JSON.parse(lines[threadLine]!), ...patch });
      await writeFile(bad, patched.join('\n'));
      const run = await runCryo(['import', '--storage', target, '--in', bad]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`line ${threadLine + 1}: `);
      expect(run.stderr).toContain(reason);
    }
    const cut = join(dir, 'cut.ndjson');
    await writeFile(cut, lines.slice(0, 3000).join('\n'));
    const truncated = await runCryo(['import', '--storage', target, '--in', cut]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/line \d+: .*(cut off|entries)/);
    const after = await runCryo(['export', '--storage', target]);
    expect(JSON.parse(after.stdout.trim().split('\n').pop()!)).toEqual({ type: 'end', threads: 0, entries: 0, checkpoints: 0, apiKeys: 0 });
  });
});
