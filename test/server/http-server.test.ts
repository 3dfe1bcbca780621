import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_SETTINGS, LIVE_SETTINGS, QUERY_LIMIT_SETTINGS, RETENTION_SETTINGS, SERVER_SETTINGS } from '../../src/config.js';
import { StorageCorrupted, StorageUnavailable } from '../../src/domain/errors.js';
import type { Attach } from '../../src/server/attachment.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/types.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A storage whose methods can be replaced per test; everything else goes to `inner`. */
function overridable(inner: Storage): { storage: Storage; override: Partial<Record<keyof Storage, (...args: any[]) => unknown>> } {
  const override: Partial<Record<keyof Storage, (...args: any[]) => unknown>> = {};
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      const replaced = override[prop as keyof Storage];
      if (replaced) return replaced;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage, override };
}

describe('health, readiness and error codes', () => {
  let t: TestApp;
  let inner: Storage;
  let override: ReturnType<typeof overridable>['override'];
  beforeAll(async () => {
    inner = await openStorage('memory:');
    const o = overridable(inner);
    override = o.override;
    t = await startTestApp('memory', {}, { storage: o.storage });
  });
  afterAll(async () => {
    await t?.close();
    await inner?.close();
  });

  it('/health is 200 without touching storage; /ready pings storage', async () => {
    let pings = 0;
    override.ping = async () => {
      pings++;
    };
    expect((await fetch(`${t.url}health`)).status).toBe(200);
    expect(pings).toBe(0);
    const ready = await fetch(`${t.url}ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(pings).toBe(1);
    delete override.ping;
  });

  it('/ready is 503 while storage does not answer, and 200 again once it does', async () => {
    override.ping = () => Promise.reject(new StorageUnavailable('redis down at 10.0.0.7'));
    const down = await fetch(`${t.url}ready`);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe('{"status":"storage unavailable"}');
    delete override.ping;
    expect((await fetch(`${t.url}ready`)).status).toBe(200);
  });

  it('/ready is 503 when the storage ping hangs (2 s timeout)', async () => {
    override.ping = () => new Promise<void>(() => {});
    const started = Date.now();
    const hung = await fetch(`${t.url}ready`);
    expect(hung.status).toBe(503);
    expect(await hung.json()).toEqual({ status: 'storage unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    delete override.ping;
  });

  it('a storage outage is a GraphQL error with code STORAGE_UNAVAILABLE, also on union fields', async () => {
    override.getThread = () => Promise.reject(new StorageUnavailable('connection refused'));
    override.appendEntries = () => Promise.reject(new StorageUnavailable('connection refused'));
    const read = await t.gql('{ thread(id: "x") { rev } }');
    expect(read.body.errors?.[0]).toMatchObject({ path: ['thread'], extensions: { code: 'STORAGE_UNAVAILABLE' } });
    const write = await t.gql('mutation { appendEntries(input: { threadId: "x", entries: [{}] }) { __typename } }');
    expect(write.body.data).toBeNull();
    expect(write.body.errors?.[0]?.extensions?.code).toBe('STORAGE_UNAVAILABLE');
    delete override.getThread;
    delete override.appendEntries;
    expect((await t.data('{ thread(id: "x") { rev } }')).thread).toBeNull();
  });

  it('corruption is STORAGE_CORRUPTED with a fixed message (no location)', async () => {
    override.getCheckpoint = () => Promise.reject(new StorageCorrupted('checksum mismatch', '/var/lib/cryo/secret/path.log:123'));
    const { body } = await t.gql('{ checkpoint(agentType: "a", agentId: "b") { rev } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('STORAGE_CORRUPTED');
    expect(JSON.stringify(body)).not.toContain('/var/lib/cryo');
    delete override.getCheckpoint;
  });

  it('an unexpected error is masked as INTERNAL_SERVER_ERROR (details only outside production)', async () => {
    override.listThreads = () => Promise.reject(new TypeError('secret internal detail'));
    const { body } = await t.gql('{ threads { edges { cursor } } }');
    expect(body.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(body.errors?.[0]?.extensions?.originalError?.message).toBe('secret internal detail');
    delete override.listThreads;
  });
});

describe('production mode', () => {
  let t: TestApp;
  let inner: Storage;
  let override: ReturnType<typeof overridable>['override'];
  beforeAll(async () => {
    inner = await openStorage('memory:');
    const o = overridable(inner);
    override = o.override;
    t = await startTestApp('memory', { production: true }, { storage: o.storage });
  });
  afterAll(async () => {
    await t?.close();
    await inner?.close();
  });

  it('refuses introspection', async () => {
    const { body } = await t.gql('{ __schema { types { name } } }');
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('serves no GraphiQL page', async () => {
    const response = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/graphiql/i);
  });

  it('masks unexpected errors completely', async () => {
    override.listThreads = () => Promise.reject(new Error('secret internal detail'));
    const { body } = await t.gql('{ threads { edges { cursor } } }');
    expect(body.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(body)).not.toContain('secret');
    delete override.listThreads;
  });

  it('does not reveal query limits or suggest field names', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: serverInfo { version }`).join(' ')} }`;
    const limited = await t.gql(aliases);
    expect(limited.body.data).toBeUndefined();
    expect(limited.body.errors?.[0]?.message).toBeTypeOf('string');
    expect(limited.body.errors?.[0]?.message).not.toMatch(/15/);
    const typo = await t.gql('{ thraeds { edges { cursor } } }');
    expect(typo.body.errors?.[0]?.message).toMatch(/Cannot query field "thraeds"/);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('still answers domain errors in full (they are written for callers)', async () => {
    const { body } = await t.gql('mutation { appendEntries(input: { threadId: "", entries: [{}] }) { ... on ValidationError { field message } } }');
    expect(body.data?.appendEntries).toEqual({ field: 'threadId', message: 'threadId: must not be empty' });
  });
});

describe('graceful stop', () => {
  it('turns readiness off, closes attachments, lets in-flight requests finish, then stops', async () => {
    const inner = await openStorage('memory:');
    const o = overridable(inner);
    let enter!: () => void;
    const entered = new Promise<void>((r) => (enter = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    o.override.appendEntries = async (options: any) => {
      enter();
      await released;
      return inner.appendEntries(options);
    };
    const seen: string[] = [];
    let url = '';
    const attach: Attach = () => ({
      async close() {
        const ready = await fetch(`${url}ready`);
        seen.push(`ready ${ready.status} ${(await ready.json()).status}`);
        release();
      },
    });
    const t = await startTestApp('memory', {}, { storage: o.storage, attachments: [attach] });
    url = t.url;
    const threadId = freshId('inflight');
    try {
      const inFlight = t.gql('mutation($id: ID!) { appendEntries(input: { threadId: $id, entries: [{}] }) { __typename } }', { id: threadId });
      await entered;
      const stopped = t.app.stop().then(() => seen.push('stopped'));
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(response.body.data?.appendEntries.__typename).toBe('AppendEntriesSuccess');
      await stopped;
      expect(seen).toEqual(['ready 503 draining', 'stopped']);
      expect((await inner.getThread({ threadId }))?.rev).toBe(1);
      await expect(fetch(`${t.url}health`)).rejects.toThrow();
    } finally {
      await t.close();
      await inner.close();
    }
  });

  it('owns the live layer: built from config.live, and stop() ends its subscriptions and listeners', async () => {
    const t = await startTestApp('memory', { live: { pageSize: 7 } });
    expect(t.app.live.options.pageSize).toBe(7);
    const subscription = await t.app.live.threadEntries({ namespace: 'default', threadId: freshId('live') });
    expect((await subscription.next()).value).toMatchObject({ type: 'caught-up', rev: 0 });
    expect(t.app.live.stats().threadWatchers).toBe(1);
    await t.close();
    expect(await subscription.next()).toEqual({ value: undefined, done: true });
    expect(t.app.live.stats()).toMatchObject({ threadWatchers: 0, threadSubscriptions: [] });
  });

  it('closes storage it opened itself', async () => {
    const t = await startTestApp('memory');
    await t.close();
    await expect(t.app.storage.ping()).rejects.toBeInstanceOf(StorageUnavailable);
  });
});

describe('the page at /', () => {
  let dir: string;
  let withDashboard: TestApp;
  let without: TestApp;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-dash-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    withDashboard = await startTestApp('memory', {}, { dashboardDir: dir });
    without = await startTestApp('memory');
  });
  afterAll(async () => {
    await withDashboard?.close();
    await without?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the dashboard files when built, and nothing outside their directory', async () => {
    const index = await fetch(withDashboard.url);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>dash</title>');
    const js = await fetch(`${withDashboard.url}app.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    const escape = await fetch(`${withDashboard.url}..%2Fpackage.json`);
    expect(escape.status).toBe(404);
    expect((await fetch(`${withDashboard.url}health`)).status).toBe(200);
  });

  it('serves a placeholder linking to /graphql when no dashboard is built', async () => {
    const page = await fetch(without.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('href="/graphql"');
  });
});

describe('npm start (src/main.ts)', () => {
  function run(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', CRYO_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const firstLine = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
    });
    firstLine.catch(() => undefined);
    return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
  }

  it('prints one line with the URL, serves, and exits 0 on SIGTERM', async () => {
    const proc = run(['--port', '0', '--storage', 'memory:']);
    try {
      const line = await proc.firstLine;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
      expect(url).toBeDefined();
      expect((await fetch(`${url}health`)).status).toBe(200);
      const info = await fetch(`${url}graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ serverInfo { storage } }"}' });
      expect(await info.json()).toEqual({ data: { serverInfo: { storage: 'memory' } } });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.output().stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('exits 1 with one clear line when the storage cannot be opened (file store locked by another server)', async () => {
    const holder = await startTestApp('file');
    const dir = holder.app.config.storage.slice('file:'.length);
    try {
      const proc = run(['--port', '0', '--storage', `file:${dir}`]);
      expect(await proc.exited).toBe(1);
      expect(proc.output().stderr.trim()).toMatch(/^cryo: failed to start: .*file storage/);
      expect(proc.output().stdout).toBe('');
      expect((await holder.data('{ serverInfo { storage } }')).serverInfo.storage).toBe('file');
    } finally {
      await holder.close();
    }
  });

  it('exits 1 with one clear line when the sqlite store is held by another server', async () => {
    const holder = await startTestApp('sqlite');
    try {
      const proc = run(['--port', '0', '--storage', holder.app.config.storage]);
      expect(await proc.exited).toBe(1);
      expect(proc.output().stderr.trim()).toMatch(/^cryo: failed to start: sqlite storage .* is in use by another process/);
      expect((await holder.data('{ serverInfo { storage } }')).serverInfo.storage).toBe('sqlite');
    } finally {
      await holder.close();
    }
  });

  it('exits 1 with one line, no stack trace, when the port is taken', async () => {
    const holder = await startTestApp('memory');
    try {
      const proc = run(['--port', String(new URL(holder.url).port), '--storage', 'memory:']);
      expect(await proc.exited).toBe(1);
      expect(proc.output().stderr).toBe(`cryo: failed to start: listen EADDRINUSE: address already in use 127.0.0.1:${new URL(holder.url).port}\n`);
      expect(proc.output().stdout).toBe('');
    } finally {
      await holder.close();
    }
  });

  it('--help prints every setting (flag, variable, default) and exits 0 without starting', async () => {
    const proc = run(['--help']);
    expect(await proc.exited).toBe(0);
    const { stdout, stderr } = proc.output();
    expect(stderr).toBe('');
    for (const s of [...Object.values(SERVER_SETTINGS), ...LIMIT_SETTINGS, ...QUERY_LIMIT_SETTINGS, ...LIVE_SETTINGS, ...Object.values(RETENTION_SETTINGS)]) {
      expect(stdout).toMatch(new RegExp(`^  ${s.flag} +${s.env} +\\S+ +\\S`, 'm'));
    }
    expect(stdout).toMatch(/^ {2}--port +PORT +4000 +TCP port/m);
  });

  it('refuses a bad setting with one clear line and exit code 2', async () => {
    const proc = run(['--storage', 'memory:'], { PORT: 'eighty' });
    expect(await proc.exited).toBe(2);
    expect(proc.output().stderr.trim()).toBe('cryo: PORT must be an integer between 0 and 65535 (got "eighty")');
  });
});
