import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const EXAMPLE = join(ROOT, 'examples/custom-adapter');

/** The environment for nested npm calls: npm's own lifecycle variables of `npm test` removed. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') || name.toLowerCase() === 'npm_config_cache') env[name] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

// The adapter kit as a third party gets it: `npm pack` of this package (its prepack builds
// dist/ with tsc -p tsconfig.build.json), unpacked into another project's node_modules/cryo.
// That project holds a copy of examples/custom-adapter and nothing else of this repository, so
// `cryo/storage` and `cryo/storage/conformance` resolve to the built JavaScript and .d.ts only.
describe('cryo/storage and cryo/storage/conformance, packed with npm pack and used from another project', () => {
  let dir: string;
  let consumer: string;
  let installed: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-kit-'));
    await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
    const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    consumer = join(dir, 'consumer');
    installed = join(consumer, 'node_modules/cryo');
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components=1']);
    // The peer (vitest) and the Node types come from this repository's installs, linked.
    await mkdir(join(consumer, 'node_modules/@types'), { recursive: true });
    await symlink(join(ROOT, 'node_modules/vitest'), join(consumer, 'node_modules/vitest'), 'dir');
    await symlink(join(ROOT, 'node_modules/@types/node'), join(consumer, 'node_modules/@types/node'), 'dir');
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    for (const file of ['index.ts', 'jsonl-storage.ts', 'log-file.ts', 'state.ts']) await copyFile(join(EXAMPLE, file), join(consumer, file));
    await writeFile(
      join(consumer, 'kit.test.ts'),
      `import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStorage, ValidationError } from 'cryo/storage';
import { describeStorageConformance } from 'cryo/storage/conformance';
import { expect, it } from 'vitest';
import { createStorage } from './index.js';

describeStorageConformance({
  name: 'jsonl from the packed kit',
  create: async ({ limits }) => createStorage('jsonl:' + join(await mkdtemp(join(tmpdir(), 'kit-')), 'log.jsonl'), { limits }),
});

it('the built entry is the built code', async () => {
  expect(import.meta.resolve('cryo/storage')).toMatch(/node_modules\\/cryo\\/dist\\/storage\\/index\\.js$/);
  await expect(createMemoryStorage().appendEntries({ threadId: '', entries: [{}] })).rejects.toBeInstanceOf(ValidationError);
});
`,
    );
    // A broken adapter: the memory store with expectedRev thrown away. The kit must catch it.
    await writeFile(
      join(consumer, 'broken.test.ts'),
      `import { createMemoryStorage, type Storage } from 'cryo/storage';
import { describeStorageConformance } from 'cryo/storage/conformance';

describeStorageConformance({
  name: 'memory without expectedRev',
  create: async ({ limits }) => {
    const inner = createMemoryStorage({ limits });
    const broken: Storage = Object.create(inner);
    broken.appendEntries = (options) => inner.appendEntries({ ...options, expectedRev: null });
    return broken;
  },
});
`,
    );
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships both entries as JavaScript with declarations, and vitest only as an optional peer', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
      dependencies: Record<string, string>;
    };
    for (const entry of ['storage', 'storage/conformance']) {
      const target = manifest.exports[`./${entry}`]!;
      expect(target).toMatchObject({ types: `./dist/${entry}/index.d.ts`, default: `./dist/${entry}/index.js` });
      expect(existsSync(join(installed, target['types']!)), target['types']).toBe(true);
      expect(existsSync(join(installed, target['default']!)), target['default']).toBe(true);
    }
    expect(manifest.peerDependenciesMeta['vitest']).toEqual({ optional: true });
    expect(manifest.dependencies['vitest']).toBeUndefined();
    // Only the conformance entry's files import vitest.
    const built = (await readdir(join(installed, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js'));
    const importers: string[] = [];
    for (const file of built) if (/from ['"]vitest['"]/.test(await readFile(join(installed, 'dist', file), 'utf8'))) importers.push(file);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((f) => !f.startsWith('storage/conformance/'))).toEqual([]);
  });

  it('type-checks the example adapter against the .d.ts under a plain `tsc --init` config', async () => {
    await run(process.execPath, [TSC, '--init', '--types', 'node'], { cwd: consumer });
    const tsconfig = await readFile(join(consumer, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"exactOptionalPropertyTypes": true/);
    const compiled = await run(process.execPath, [TSC, '-p', '.', '--noEmit'], { cwd: consumer }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed in the consumer project:\n${error.stdout ?? String(error)}`);
    });
    expect(compiled.stdout).toBe('');
  }, 120_000);

  it('runs the whole conformance suite from the built kit in Vitest: the example passes, a broken adapter fails', async () => {
    // Vitest exits 1 (the broken adapter fails): read its JSON report either way.
    const { stdout } = await run(process.execPath, [VITEST, 'run', '--root', consumer, '--reporter', 'json'], {
      cwd: consumer,
      env: npmEnv(),
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout?.startsWith('{')) throw new Error(`vitest failed in the consumer project:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
      return { stdout: error.stdout };
    });
    const report = JSON.parse(stdout) as {
      testResults: { name: string; assertionResults: { title: string; status: string }[] }[];
    };
    const file = (name: string) => report.testResults.find((r) => r.name.endsWith(name))!.assertionResults;
    const kit = file('kit.test.ts');
    expect(kit.filter((t) => t.status !== 'passed')).toEqual([]);
    // Every conformance test ran (Storage and persist suites: over 90), plus the entry check.
    expect(kit.length).toBeGreaterThan(90);
    const failed = file('broken.test.ts').filter((t) => t.status === 'failed').map((t) => t.title);
    expect(failed).toContain('expectedRev n must equal the rev; a conflict writes nothing and reports actualRev');
    expect(failed).toContain('of 50 racing appends with the same expectedRev exactly one wins');
  }, 300_000);
});
