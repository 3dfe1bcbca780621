import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CryoServer, startCryo } from '../langgraph/servers.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const PACKAGE_DIR = join(ROOT, 'packages/client');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The environment for nested npm calls: npm's own lifecycle variables of `npm test` removed. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') || name.toLowerCase() === 'npm_config_cache') env[name] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

const CONSUMER = (url: string) => `import { createCryoClient, CryoClientError } from '@cryo/client';
import { CryoSaver } from '@cryo/client/langgraph';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';

const url = ${JSON.stringify(url)};
const cryo = createCryoClient({ url });
const appended = await cryo.appendEntries({ threadId: 'consumer-thread', expectedRev: 0, entries: [{ kind: 'note', payload: { hello: 'world' } }] });
const rev = appended.__typename === 'AppendEntriesSuccess' ? appended.thread.rev : -1;
const saver = new CryoSaver({ url });
const checkpoint = emptyCheckpoint();
const config = await saver.put({ configurable: { thread_id: 'consumer-run' } }, checkpoint, { source: 'input', step: -1, parents: {} }, {});
const tuple = await saver.getTuple(config);
let errorCode = '';
try {
  await cryo.thread({ id: '' });
} catch (error) {
  if (error instanceof CryoClientError) errorCode = error.code;
}
console.log(JSON.stringify({ rev, sameCheckpoint: tuple?.checkpoint.id === checkpoint.id, errorCode }));
await saver.close();
await cryo.close();
`;

describe('@cryo/client packed with npm pack and installed into a new project', () => {
  let server: CryoServer;
  let dir: string;
  let tarball: string;

  beforeAll(async () => {
    server = await startCryo('memory');
    dir = await mkdtemp(join(tmpdir(), 'cryo-consumer-'));
    // npm pack runs the package's prepack script: tsc builds dist/ from src/client and src/langgraph.
    await run('npm', ['pack', '--pack-destination', dir], { cwd: PACKAGE_DIR, env: npmEnv() });
    const packed = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
    if (!packed) throw new Error('npm pack wrote no tarball');
    tarball = join(dir, packed);
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('type-checks under a plain `tsc --init` config and runs with node alone', async () => {
    const consumer = join(dir, 'consumer');
    await run('mkdir', [consumer]);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // --prefer-offline: tarballs come from the npm cache that `npm ci` of this repository filled; npm
    // reads the registry only for package metadata it has not cached yet (once per machine).
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: consumer, env: npmEnv() });
    // The optional LangGraph peers are this repository's installs (linked, as a monorepo would).
    await mkdir(join(consumer, 'node_modules/@langchain'), { recursive: true });
    for (const peer of ['@langchain/core', '@langchain/langgraph-checkpoint']) {
      await symlink(join(ROOT, 'node_modules', peer), join(consumer, 'node_modules', peer), 'dir');
    }
    await run(process.execPath, [TSC, '--init'], { cwd: consumer });
    await writeFile(join(consumer, 'index.ts'), CONSUMER(server.graphqlUrl));
    const compiled = await run(process.execPath, [TSC, '-p', '.'], { cwd: consumer }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed in the consumer project:\n${error.stdout ?? String(error)}`);
    });
    expect(compiled.stdout).toBe('');
    const { stdout } = await run(process.execPath, ['index.js'], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ rev: 1, sameCheckpoint: true, errorCode: 'BAD_USER_INPUT' });

    const tsconfig = await readFile(join(consumer, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"exactOptionalPropertyTypes": true/);
    const installed = JSON.parse(await readFile(join(consumer, 'node_modules/@cryo/client/package.json'), 'utf8')) as { dependencies: object };
    expect(Object.keys(installed.dependencies).sort()).toEqual(['@graphql-typed-document-node/core', 'graphql-ws', 'ws']);
    // (graphql itself comes along: it is a peer dependency of graphql-ws)
    for (const serverOnly of ['graphql-yoga', '@pothos/core', 'redis', 'pino', 'tsx', 'graphql-jit']) {
      expect(existsSync(join(consumer, 'node_modules', serverOnly)), serverOnly).toBe(false);
    }
    expect(existsSync(join(consumer, 'node_modules/@cryo/client/dist/langgraph/index.d.ts'))).toBe(true);
  }, 180_000);
});
