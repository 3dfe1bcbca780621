import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageCorrupted, StorageUnavailable, type Storage } from 'cryo/storage';
import { describeStorageConformance, rejection } from 'cryo/storage/conformance';
import { createJsonlStorage } from './jsonl-storage.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const directories: string[] = [];
afterAll(async () => {
  for (const dir of directories) await rm(dir, { recursive: true, force: true });
});

async function tempLog(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-jsonl-'));
  directories.push(dir);
  return join(dir, 'store.jsonl');
}

// The whole kit, exactly as a third party runs it: only the package entries are imported.
describeStorageConformance({
  name: 'jsonl (examples/custom-adapter)',
  create: async ({ limits }) => createJsonlStorage({ path: await tempLog(), limits }),
});

describe('jsonl adapter: the log file', () => {
  it('keeps every acknowledged write across close and reopen, and compacts trimmed entries away', async () => {
    const path = await tempLog();
    let storage: Storage = await createJsonlStorage({ path });
    await storage.appendEntries({ threadId: 't', entries: [{ kind: 'a', payload: { n: 1 } }, { kind: 'b' }, { kind: 'c' }] });
    await storage.putCheckpoint({ agentType: 'agent', agentId: '1', state: { step: 2 }, thread: { id: 't', rev: 2 } });
    await storage.trimThread({ threadId: 't', beforeSeq: 2 });
    await storage.close();

    storage = await createJsonlStorage({ path });
    try {
      expect(await storage.getThread({ threadId: 't' })).toMatchObject({ rev: 3, firstSeq: 2 });
      expect((await storage.readEntries({ threadId: 't', fromSeq: 0, limit: 10 })).map((e) => [e.seq, e.kind])).toEqual([
        [2, 'c'],
      ]);
      expect(await storage.getCheckpoint({ agentType: 'agent', agentId: '1' })).toMatchObject({ rev: 1, state: { step: 2 } });
      // Reopening rewrote the log as a snapshot: the trimmed entries are no longer on disk.
      const text = await readFile(path, 'utf8');
      expect(text).not.toContain('"kind":"a"');
      expect(text.trim().split('\n')).toHaveLength(2);
    } finally {
      await storage.close();
    }
  });

  it('cuts off a torn last line (a write that never returned) and keeps the rest', async () => {
    const path = await tempLog();
    const storage = await createJsonlStorage({ path });
    await storage.appendEntries({ threadId: 't', entries: [{ kind: 'kept' }] });
    await storage.close();
    await appendFile(path, '{"op":"append","ns":"default","head":{"id":"t"'); // a crash mid-write

    const reopened = await createJsonlStorage({ path });
    try {
      expect(await reopened.getThread({ threadId: 't' })).toMatchObject({ rev: 1 });
      await reopened.appendEntries({ threadId: 't', entries: [{ kind: 'after' }] });
      expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a log with a damaged line in the middle (StorageCorrupted naming the line)', async () => {
    const path = await tempLog();
    await writeFile(path, 'not json\n{"op":"api-key"}\n');
    await rejection(createJsonlStorage({ path }), StorageCorrupted, { location: `${path}:1` });
  });

  it('lets one storage at a time open a file (StorageUnavailable for the second)', async () => {
    const path = await tempLog();
    const first = await createJsonlStorage({ path });
    try {
      await rejection(createJsonlStorage({ path }), StorageUnavailable);
    } finally {
      await first.close();
    }
    const again = await createJsonlStorage({ path });
    await again.close();
  });
});

describe('npm start with CRYO_STORAGE_MODULE=examples/custom-adapter/index.ts', () => {
  it('serves the API over the jsonl adapter: an append and a read over HTTP, kept in the file', async () => {
    const path = await tempLog();
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        CRYO_LOG_LEVEL: 'silent',
        CRYO_STORAGE: `jsonl:${path}`,
        CRYO_STORAGE_MODULE: './examples/custom-adapter/index.ts',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npm, the shell and the server stop together
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const found = /Cryo listening on (http:\/\/\S+\/) /.exec(stdout)?.[1];
          if (found) resolve(found);
        });
        void exited.then(() => reject(new Error(`npm start exited early:\n${stdout}\n${stderr}`)));
      });
      const graphql = async (query: string, variables: object = {}) => {
        const response = await fetch(`${url}graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data: Record<string, unknown> };
      };
      const appended = await graphql(
        `mutation ($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } } } }`,
        { input: { threadId: 'served', entries: [{ kind: 'hello', payload: { from: 'http' } }] } },
      );
      expect(appended.data).toEqual({ appendEntries: { __typename: 'AppendEntriesSuccess', thread: { rev: 1 } } });
      const read = await graphql(`{ serverInfo { storage } thread(id: "served") { rev entries { edges { node { seq kind payload } } } } }`);
      expect(read.data).toEqual({
        serverInfo: { storage: 'jsonl' },
        thread: { rev: 1, entries: { edges: [{ node: { seq: 0, kind: 'hello', payload: { from: 'http' } } }] } },
      });
      expect(await readFile(path, 'utf8')).toContain('"kind":"hello"');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 120_000);
});
