import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { createCryoClient } from '../../src/client/index.js';
import { defineConfig } from '../../src/config.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

/** A Cryo server on file storage in `dir`; a new one on the same dir is the same store after a restart. */
async function startFileServer(dir: string): Promise<{ app: App; graphqlUrl: string }> {
  const app = await buildApp(defineConfig({ port: 0, logLevel: 'silent', shutdownGraceMs: 500, storage: `file:${dir}` }), {
    dashboardDir: null,
    operationsDir: null,
  });
  const { url } = await app.start();
  return { app, graphqlUrl: `${url}graphql` };
}

/** Runs one half of examples/langgraph/run.ts as its own process; returns its JSON line. */
async function half(graphqlUrl: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [TSX, 'examples/langgraph/run.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, CRYO_URL: graphqlUrl },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe('examples/langgraph: an interrupted StateGraph resumed by another process after a restart', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('stops at interrupt() in one process and finishes in another, from what Cryo kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryo-langgraph-example-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await startFileServer(dir);
    cleanups.push(() => first.app.stop());

    const started = await half(first.graphqlUrl, 'start', 'post-42', 'glaciers');
    expect(started.waitingFor).toEqual([{ question: 'Publish this draft?', draft: 'Five facts about glaciers' }]);

    // The run's journal and latest checkpoint are plain Cryo data, visible to any client.
    const cryo = createCryoClient({ url: first.graphqlUrl });
    const latest = await cryo.checkpoint({ agentType: 'langgraph', agentId: 'langgraph:post-42:' });
    expect(latest?.thread?.id).toBe('langgraph:post-42:');
    await cryo.close();

    // Restart the server on the same storage (new process state, new port) …
    await first.app.stop();
    const second = await startFileServer(dir);
    cleanups.push(() => second.app.stop());

    // … and resume from another process.
    const resumed = await half(second.graphqlUrl, 'resume', 'post-42', 'yes');
    expect(resumed).toMatchObject({ approved: true, published: 'PUBLISHED: Five facts about glaciers' });
    expect(resumed.pid).not.toBe(started.pid);
  }, 120_000);
});
