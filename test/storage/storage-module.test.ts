import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { StorageUnavailable, ValidationError } from '../../src/domain/errors.js';
import { openStorage } from '../../src/storage/open.js';
import { loadStorageModule, StorageModuleError, type StorageModuleFailure } from '../../src/storage/storage-module.js';
import { parseStorageUrl } from '../../src/storage/url.js';
import { BUILT_IN_SCHEMES, isModuleStorageUrl } from '../../src/storage/url-scheme.js';
import { createJsonlStorage } from '../../examples/custom-adapter/jsonl-storage.js';
import { runCryo } from '../cli/helpers.js';
import { calls } from './fixtures/storage-modules/memory-module.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = './test/storage/fixtures/storage-modules';
const fixture = (name: string) => `${FIXTURES}/${name}.ts`;

/** Awaits a StorageModuleError of this failure kind and exit code. */
async function moduleError(promise: Promise<unknown>, failure: StorageModuleFailure, exitCode: 1 | 2): Promise<StorageModuleError> {
  const error = await promise.then(
    () => expect.fail('expected a StorageModuleError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageModuleError);
  expect(error).toMatchObject({ failure, exitCode });
  return error as StorageModuleError;
}

describe('openStorage with a storage module (CRYO_STORAGE_MODULE)', () => {
  it('opens a URL of an unknown scheme through the module, passing the URL and the options', async () => {
    const storage = await openStorage(' recording:shelf-1 ', { storageModule: fixture('memory-module'), limits: { maxEntriesPerAppend: 2 } });
    try {
      expect(calls.at(-1)).toMatchObject({ url: 'recording:shelf-1', options: { limits: { maxEntriesPerAppend: 2 } } });
      await expect(storage.appendEntries({ threadId: 't', entries: [{}, {}, {}] })).rejects.toBeInstanceOf(ValidationError);
      expect((await storage.appendEntries({ threadId: 't', entries: [{}, {}] })).thread.rev).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('leaves the built-in schemes to the built-in adapters (the module is not even loaded)', async () => {
    const storage = await openStorage('memory:', { storageModule: fixture('broken-import') });
    expect(storage.kind).toBe('memory');
    await storage.close();
  });

  it('without a module, an unknown scheme is still a ValidationError on "storage"', async () => {
    await expect(openStorage('recording:x')).rejects.toMatchObject({ name: 'ValidationError', field: 'storage' });
  });

  it('not-found (exit code 2): no file at the path, naming the resolved path', async () => {
    const error = await moduleError(openStorage('x:y', { storageModule: fixture('no-such-module') }), 'not-found', 2);
    expect(error.message).toBe(
      `storage module ${JSON.stringify(fixture('no-such-module'))}: no file at ${join(ROOT, 'test/storage/fixtures/storage-modules/no-such-module.ts')}`,
    );
  });

  it('a file: URL is decoded: a module in a folder whose name has a space loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryo module '));
    try {
      const file = join(dir, 'memory-module.ts');
      await copyFile(join(ROOT, fixture('memory-module')), file);
      const loaded = await loadStorageModule(pathToFileURL(file).href);
      expect(typeof loaded.createStorage).toBe('function');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('not-found (exit code 2): no such package', async () => {
    const error = await moduleError(loadStorageModule('@cryo-test/no-such-adapter/storage'), 'not-found', 2);
    expect(error.message).toMatch(/no package "@cryo-test\/no-such-adapter" is installed/);
  });

  it('wrong-shape (exit code 2): no createStorage function, naming what the module exports', async () => {
    const error = await moduleError(loadStorageModule(fixture('wrong-export')), 'wrong-shape', 2);
    expect(error.message).toMatch(/must export a function createStorage\(url, options\); it exports createStore, version$/);
    await moduleError(loadStorageModule('pino'), 'wrong-shape', 2); // a real package that is no storage module
  });

  it('wrong-shape (exit code 2): createStorage returned something that is not a Storage, naming what is missing', async () => {
    const error = await moduleError(openStorage('half:1', { storageModule: fixture('not-a-storage') }), 'wrong-shape', 2);
    expect(error.message).toMatch(/not a Storage \(missing: getCheckpoint, putCheckpoint, .*sweepRetention, .*changes\)$/);
  });

  it('load-failed (exit code 1): importing the module threw (its own dependency is missing)', async () => {
    const error = await moduleError(loadStorageModule(fixture('broken-import')), 'load-failed', 1);
    expect(error.message).toMatch(/importing it failed: .*cryo-test-no-such-dependency/);
  });

  it('open-failed (exit code 1): createStorage rejected, with the adapter error as the cause', async () => {
    const error = await moduleError(openStorage('down://db', { storageModule: fixture('fails-to-open') }), 'open-failed', 1);
    expect(error.message).toMatch(/createStorage\("down:\/\/db"\) failed: backend of down:\/\/db is down$/);
    expect(error.cause).toBeInstanceOf(StorageUnavailable);
  });
});

describe('which URLs go to the storage module', () => {
  it('every scheme parseStorageUrl knows is built in, and only those', () => {
    const unsupported = (url: string) => {
      try {
        parseStorageUrl(url);
        return false;
      } catch (error) {
        return /unsupported storage URL/.test((error as Error).message);
      }
    };
    for (const scheme of BUILT_IN_SCHEMES) {
      expect(unsupported(`${scheme}://h/x`), scheme).toBe(false);
      expect(isModuleStorageUrl(`${scheme.toUpperCase()}://h/x`), scheme).toBe(false);
    }
    for (const url of ['jsonl:./x', 'dynamo://table', 'mongodb+srv://h/db', 'x-y.z:1']) {
      expect(unsupported(url), url).toBe(true);
      expect(isModuleStorageUrl(url), url).toBe(true);
    }
    expect(isModuleStorageUrl('no scheme here')).toBe(false);
  });
});

describe('parseConfig: CRYO_STORAGE_MODULE / --storage-module', () => {
  it('reads the module from the variable or the flag (the flag wins); default none', () => {
    expect(parseConfig({}, []).storageModule).toBeNull();
    expect(parseConfig({ CRYO_STORAGE_MODULE: './a.js', CRYO_STORAGE: 'dynamo://t' }, []).storageModule).toBe('./a.js');
    expect(parseConfig({ CRYO_STORAGE_MODULE: './a.js', CRYO_STORAGE: 'dynamo://t' }, ['--storage-module', 'b']).storageModule).toBe('b');
  });

  it('accepts a storage URL of an unknown scheme only when a module is set, and says so', () => {
    expect(() => parseConfig({ CRYO_STORAGE: 'dynamo://t' }, [])).toThrow(ConfigError);
    expect(() => parseConfig({ CRYO_STORAGE: 'dynamo://t' }, [])).toThrow(/or set CRYO_STORAGE_MODULE \/ --storage-module/);
    expect(parseConfig({ CRYO_STORAGE: 'dynamo://t' }, ['--storage-module', './m.js']).storage).toBe('dynamo://t');
    // A built-in scheme is still checked by its adapter's rules, module or not.
    expect(() => parseConfig({ CRYO_STORAGE: 'memory:/x', CRYO_STORAGE_MODULE: './m.js' }, [])).toThrow(/memory: takes no path/);
  });
});

/** Runs the server entry as `npm start` does (tsx, the cryo-source condition) or through bin/cryo.mjs. */
function runServer(command: 'main' | 'bin', args: string[]) {
  const argv =
    command === 'main' ? ['--import', 'tsx', '--conditions=cryo-source', 'src/main.ts', ...args] : ['bin/cryo.mjs', 'serve', ...args];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', CRYO_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('the server with a storage module', () => {
  it.each([
    ['missing', fixture('no-such-module'), 2, /^cryo: storage module ".*no-such-module\.ts": no file at /],
    ['of the wrong shape', fixture('wrong-export'), 2, /^cryo: storage module ".*wrong-export\.ts": it must export a function createStorage/],
    ['failing to load', fixture('broken-import'), 1, /^cryo: storage module ".*broken-import\.ts": importing it failed/],
    ['failing to open', fixture('fails-to-open'), 1, /^cryo: storage module ".*fails-to-open\.ts": createStorage\("down:\/\/db"\) failed: backend/],
  ])('exits with one line when the module is %s', async (_, module, code, line) => {
    const proc = runServer('main', ['--port', '0', '--storage', 'down://db', '--storage-module', module]);
    expect(await proc.exited).toBe(code);
    const { stdout, stderr } = proc.output();
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(line);
  });

  it('`cryo serve` (bin/cryo.mjs) serves through a module that imports cryo/storage', async () => {
    const proc = runServer('bin', ['--port', '0', '--storage', 'recording:bin', '--storage-module', fixture('memory-module')]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        proc.child.stdout.on('data', () => {
          const found = /Cryo listening on (http:\/\/\S+\/) /.exec(proc.output().stdout)?.[1];
          if (found) resolve(found);
        });
        void proc.exited.then(() => reject(new Error(`exited early: ${proc.output().stderr}`)));
      });
      const answer = await fetch(`${url}graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // A RevisionConflict the adapter throws (the class from cryo/storage) comes back as the
        // typed union member: the module got the server's own error classes, not a second copy.
        body: JSON.stringify({
          query: 'mutation { appendEntries(input: { threadId: "t", expectedRev: 5, entries: [{}] }) { __typename ... on RevisionConflict { expectedRev actualRev } } }',
        }),
      });
      expect(await answer.json()).toEqual({ data: { appendEntries: { __typename: 'RevisionConflict', expectedRev: 5, actualRev: 0 } } });
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});

describe('the cryo command with a storage module (--storage-module / CRYO_STORAGE_MODULE)', () => {
  it('exports and verifies a store only a module can open; a missing module is a usage error (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryo-module-cli-'));
    try {
      const path = join(dir, 'store.jsonl');
      const seeded = await createJsonlStorage({ path });
      await seeded.appendEntries({ threadId: 'kept', entries: [{ id: 'e0', kind: 'note', payload: { n: 1 } }] });
      await seeded.putCheckpoint({ agentType: 'a', agentId: '1', state: {}, thread: { id: 'kept', rev: 1 } });
      await seeded.close();
      const adapter = join(ROOT, 'examples/custom-adapter/index.ts');

      const exported = await runCryo(['export', '--storage', `jsonl:${path}`, '--storage-module', adapter]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('"id":"e0"');
      const verified = await runCryo(['verify', '--storage', `jsonl:${path}`], { CRYO_STORAGE_MODULE: adapter });
      expect(verified.code, verified.stderr).toBe(0);

      const missing = await runCryo(['export', '--storage', `jsonl:${path}`, '--storage-module', join(dir, 'nope.ts')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim().split('\n').at(-1)).toBe(`cryo: storage module ${JSON.stringify(join(dir, 'nope.ts'))}: no file at ${join(dir, 'nope.ts')}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
