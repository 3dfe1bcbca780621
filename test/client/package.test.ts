import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshId, startServer, tempDir, type TestServer } from './helpers.js';

const run = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** A consumer project that depends on this repository (as `npm install ../cryo` would link it). */
const CONSUMER_SCRIPT = `
import { createCryoClient, CryoClientError, type ThreadEntriesEvent } from 'cryo/client';

const [url, threadId] = process.argv.slice(2) as [string, string];
const client = createCryoClient({ url });
const events: string[] = [];
const secondEntry = new Promise<void>((resolve) => {
  const watch = client.watchThread(threadId, {
    fromSeq: 0,
    onEvent(event: ThreadEntriesEvent) {
      events.push(event.__typename === 'Entry' ? \`entry:\${event.seq}:\${event.kind}\` : event.__typename);
      if (event.__typename === 'Entry' && event.seq === 1) {
        watch.close();
        resolve();
      }
    },
  });
});
const result = await client.appendEntries({ threadId, entries: [{ kind: 'first' }, { kind: 'second' }] });
await secondEntry;
const error = await client.threads({ first: 100000 }).catch((e: unknown) => e);
console.log(JSON.stringify({ result: result.__typename, events, code: error instanceof CryoClientError ? error.code : null }));
await client.close();

export function typesAreReal(): void {
  // @ts-expect-error appendEntries takes an AppendEntriesInput, so a typo must not compile
  void client.appendEntries({ threadID: 'x', entries: [] });
}
`;

let server: TestServer;
let consumer: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  server = await startServer();
  consumer = await tempDir('cryo-consumer-');
  await mkdir(join(consumer.path, 'node_modules'));
  await symlink(repo, join(consumer.path, 'node_modules', 'cryo'), 'dir');
  await writeFile(join(consumer.path, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  await writeFile(join(consumer.path, 'main.ts'), CONSUMER_SCRIPT);
  await writeFile(
    join(consumer.path, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
        lib: ['ES2024', 'DOM'], types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')],
      },
      files: ['main.ts'],
    }),
  );
});

afterAll(async () => {
  await server?.app.stop();
  await consumer?.remove();
});

describe('cryo/client from another Node project', () => {
  it('imports, type-checks and talks to a server (HTTP and WebSocket)', async () => {
    const threadId = freshId('consumer');
    const { stdout } = await run(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'main.ts', server.graphqlUrl, threadId], {
      cwd: consumer.path,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      result: 'AppendEntriesSuccess',
      events: expect.arrayContaining(['entry:0:first', 'entry:1:second']),
      code: 'BAD_USER_INPUT',
    });

    const tsc = await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer.path]).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });
});
